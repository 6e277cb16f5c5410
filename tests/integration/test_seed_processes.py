"""Seeded customers and orders made by other processes store exactly what one process stores.

Those processes hand their rows back as plain values (PostgreSQL's timestamps and decimals as text),
so this runs on both backends: a value that changed on the way would show as a different row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from oms_core import bootstrap
from oms_core.demo import orders as demo_orders
from oms_core.demo import seeder
from oms_core.demo.plan import SeedPlan
from oms_core.storage.database import make_engine
from tests.conftest import _clean_database
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TABLES = ("customers", "addresses", "cards", "orders", "order_lines", "payments", "audit_events", "products")


def _dump(url: str) -> list[list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [
                [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]  # noqa: S608
                for table in TABLES
            ]
    finally:
        engine.dispose()


def test_customers_and_orders_made_by_other_processes_are_stored_as_those_made_in_one(
    request: pytest.FixtureRequest, database_url: str, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(demo_orders, "SEGMENT", 40)  # 170 orders in five segments
    monkeypatch.setattr(seeder, "CHUNK", 40)  # 150 customers in four batches, from a process of their own
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    dumps = []
    url = database_url
    for processes in (1, 2):
        monkeypatch.setattr(seeder, "processes_for", lambda _segments, n=processes: n)
        report = bootstrap.seed_database(url, SeedPlan(150, 8, 170, seed=5), clock=FixedClock(NOW))
        assert report.orders == 170 and report.receipts > 0  # 8 products: stock runs out, is received
        dumps.append(_dump(url))
        url = _clean_database(request, backend, tmp_path)  # the same empty database again
    one, two = dumps
    assert [len(rows) for rows in one] == [len(rows) for rows in two]
    for table, rows_one, rows_two in zip(TABLES, one, two, strict=True):
        assert rows_one == rows_two, table


def test_a_seeded_database_is_settled_for_reading_statistics_and_on_postgresql_vacuumed(
    database_url: str,
) -> None:
    tables = ("customers", "addresses", "orders", "order_lines", "payments", "audit_events")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            started = conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar()
        bootstrap.seed_database(database_url, SeedPlan(200, 20, 300, seed=3), clock=FixedClock(NOW))
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                analysed = {name for (name,) in conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
                assert set(tables) <= analysed
                return
            # VACUUM marks the pages of a freshly loaded table all-visible (ANALYZE alone does not), so
            # the first reads neither write hint bits nor visit the heap in index-only scans. (The test
            # database commits asynchronously, which holds those marks back until the WAL is flushed,
            # so the test checks that each table was vacuumed after the seed started.)
            vacuumed = dict(
                conn.execute(
                    text(
                        "SELECT relname, last_vacuum >= :started FROM pg_stat_user_tables "
                        "WHERE relname = ANY(:names)"
                    ),
                    {"names": list(tables), "started": started},
                ).all()
            )
    finally:
        engine.dispose()
    assert vacuumed == dict.fromkeys(tables, True)


class _FailingFactory:
    kept: list[object] = []

    def __init__(self) -> None:
        self.made = 0

    def batch(self, count: int) -> object:
        from oms_core.demo.people import CustomerBatch

        self.made += 1
        if self.made == 2:
            raise ValueError("the second batch cannot be made")
        return CustomerBatch([(self.made,)] * count, [], [])


def test_an_error_in_the_customer_process_is_raised_in_the_seeding_process_after_the_batches_before_it() -> (
    None
):
    from oms_core.demo.segments import customers_made_apart

    got = []
    with pytest.raises(ValueError, match="the second batch cannot be made"):
        for start, batch in customers_made_apart(_FailingFactory(), 30, 10):  # type: ignore[arg-type]
            got.append((start, len(batch.customers)))
    assert got == [(0, 10)]


class _DyingFactory(_FailingFactory):
    def batch(self, count: int) -> object:
        import os

        if self.made == 1:
            os._exit(3)  # killed mid-way, as by the kernel: no word through the pipe
        return super().batch(count)


def test_a_customer_process_that_dies_is_one_clear_error_naming_how_far_it_got() -> None:
    from oms_core.demo.segments import customers_made_apart
    from oms_core.domain.errors import OmsError

    with pytest.raises(OmsError, match=r"stopped after 10 of 30 \(exit code 3\); nothing was written"):
        for _ in customers_made_apart(_DyingFactory(), 30, 10):  # type: ignore[arg-type]
            pass
