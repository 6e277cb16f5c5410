"""An office upgrades a database that holds data: every migration since the first release must run
on tables that have rows and foreign keys pointing at them, on SQLite and PostgreSQL.

A migration that rebuilds a table on SQLite (Alembic's batch mode) drops the old table while other
tables' rows still point at it, which SQLite refuses with foreign keys on: an empty test database
never shows it. Here every table gets one row (id 1, foreign keys pointing at the rows with id 1)
at the revision the office runs today, then the database is upgraded to the newest revision.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, String, Text, insert, select
from sqlalchemy.engine import make_url

from oms_core.storage import make_engine, upgrade_schema
from oms_core.storage.schema import HEAD_REVISION, current_revision
from tests.conftest import PG_ADMIN_URL

FIRST_RELEASE = "0003"
"""The schema of the oms offices ran before the release that added shipments, mail and payments."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'oms.db'}"
        return
    request.getfixturevalue("_postgres_database")
    name = f"oms_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _value(column: Any) -> Any:
    """A value that fits ``column``: 1 for ids and foreign keys, else something of its type."""
    kind = column.type
    if column.foreign_keys or column.name == "id" or column.name.endswith("_id"):
        return 1
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return datetime(2026, 11, 1, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, 11, 1)
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Numeric):
        return Decimal("1")
    if isinstance(kind, (String, Text)):
        length = getattr(kind, "length", None) or 20
        return "x"[:length] if column.name != "status" else "placed"
    return 1


def test_an_office_database_with_a_row_in_every_table_upgrades_to_the_newest_schema(empty_url):
    engine = make_engine(empty_url)
    try:
        upgrade_schema(engine, FIRST_RELEASE)
        tables = MetaData()
        tables.reflect(engine)
        with engine.begin() as conn:
            for table in tables.sorted_tables:
                if table.name == "alembic_version":
                    continue
                conn.execute(insert(table).values({c.name: _value(c) for c in table.columns}))
        upgrade_schema(engine)
        assert current_revision(engine) == HEAD_REVISION
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            for name in ("orders", "products", "customers", "order_lines"):
                assert conn.execute(select(tables.tables[name])).first() is not None, name
    finally:
        engine.dispose()


def test_shipments_stored_before_0018_get_their_orders_customer(empty_url):
    """The story reads shipments by customer: the upgrade fills it in for the shipments already there."""
    engine = make_engine(empty_url)
    try:
        upgrade_schema(engine, "0017")
        tables = MetaData()
        tables.reflect(engine)
        with engine.begin() as conn:
            for table in tables.sorted_tables:
                if table.name != "alembic_version":
                    conn.execute(insert(table).values({c.name: _value(c) for c in table.columns}))
        upgrade_schema(engine)
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            shipments = tables.tables["shipments"]
            assert conn.execute(select(shipments.c.customer_id)).scalar_one() == 1
    finally:
        engine.dispose()
