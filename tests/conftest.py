"""Shared fixtures: one database fixture parametrised over SQLite and PostgreSQL.

``database_url`` is a clean database at the latest schema (empty tables, fresh counters), private to
the test. SQLite: a copy of a template file migrated once per session. PostgreSQL: one database
``oms_test_<random hex>`` per session (so parallel runs never collide), migrated once, emptied before
each test, dropped at the end. Without a reachable server the PostgreSQL cases are skipped, except in
CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from oms_core.clock import SystemClock
from oms_core.ports import UnitOfWorkFactory
from oms_core.storage import SqlUnitOfWorkFactory, make_engine, upgrade_schema
from oms_core.storage.tables import CUSTOMER_COUNTER, FIRST_ORDER_NUMBER, ORDER_COUNTER, metadata
from tests.fakes import FakeUnitOfWorkFactory

PG_ADMIN_URL = os.environ.get("OMS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True)
def _no_office_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the machine's ``/etc/oms/oms.toml`` or its ``OMS_*`` settings (an empty file
    instead), so they run the same on a developer's laptop, in CI and on an office server.
    """
    monkeypatch.setenv("OMS_CONFIG", os.devnull)
    monkeypatch.setenv("OMS_LOG_FILE", os.devnull)  # a test run writes no one's log
    for name in ("OMS_DATABASE_URL", "OMS_IMPORT_DIR", "OMS_OPERATOR", "OMS_GATEWAY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oms_template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str]:
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"oms_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database need not wait for the disk at every commit (a server crash is all
        # that could lose a commit, and it would lose the database with it): each test commits
        # dozens of times, and a shared machine's disk made those waits most of a test's time.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade_schema(url)
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres(url: str) -> None:
    """Delete every row the last test left and restart the ids and counters, in one transaction.

    Only tables that hold rows are touched, children before parents, with DELETE: TRUNCATE makes
    new files for all 29 tables and their indexes at every test, which cost far more than the rows.
    """
    tables = [table.name for table in metadata.sorted_tables]  # parents before children
    holding_rows = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name} WHERE EXISTS (SELECT FROM {table})").format(
            name=sql.Literal(name), table=sql.Identifier(name)
        )
        for name in tables
    )
    with psycopg.connect(url) as conn:
        conn.execute("SET LOCAL lock_timeout = '10s'")
        used = {row[0] for row in conn.execute(holding_rows)}
        for name in reversed(tables):
            if name in used:
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
        # Every id sequence starts again, used or not: a rolled-back insert also moves one on.
        conn.execute(
            "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
            " JOIN pg_class c ON c.oid = s.seqrelid"
            " WHERE c.relnamespace = current_schema()::regnamespace"
        )
        conn.execute(
            "INSERT INTO counters (name, value) VALUES (%s, %s), (%s, %s)",
            (ORDER_COUNTER, FIRST_ORDER_NUMBER - 1, CUSTOMER_COUNTER, 0),
        )


def _clean_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        path = tmp_path / "oms.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database for this test alone, on each backend."""
    return _clean_database(request, request.param, tmp_path)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A unit-of-work factory on an empty store: the in-memory fake, SQLite and PostgreSQL.

    Repository contract tests take this fixture, so the fake cannot drift from the real thing.
    """
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    engine = make_engine(_clean_database(request, request.param, tmp_path))
    try:
        yield SqlUnitOfWorkFactory(engine, SystemClock())
    finally:
        engine.dispose()


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    """A ``SqlUnitOfWorkFactory`` on ``database_url``; its engine is disposed afterwards."""
    engine = make_engine(database_url)
    try:
        yield SqlUnitOfWorkFactory(engine, SystemClock())
    finally:
        engine.dispose()
