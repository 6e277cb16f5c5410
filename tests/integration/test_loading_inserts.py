"""Many rows inserted at once (``insert_tuples``) and ids reserved for them (``reserve_id_blocks``):
what a batch chunk's writes cost PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from oms_core.storage import SqlUnitOfWorkFactory
from oms_core.storage.audit import EVENT_COLUMNS
from oms_core.storage.loading import insert_tuples, reserve_id_blocks
from oms_core.storage.tables import audit_events, order_lines, orders

AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _copied_so_far(uow_factory: SqlUnitOfWorkFactory) -> int:
    """Rows the server has taken in so far from a COPY into ``audit_events`` under way elsewhere."""
    with uow_factory.engine.connect() as watcher:
        return int(
            watcher.exec_driver_sql(
                "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy "
                "WHERE datname = current_database() AND relid = 'audit_events'::regclass"
            ).scalar_one()
        )


def test_rows_from_a_generator_reach_the_server_while_the_later_ones_are_made(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    """The server inserts the first rows while the client makes the next ones (on two cores, the
    two work at once); before, every row was made first and the server waited for all of them.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite inserts in this process: there is nothing to overlap")
    total, pause_at = 30_000, 20_000
    seen_by_server: list[int] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(total):
            if i == pause_at:
                # Wait (a bounded time) for the server to report rows of this COPY already in.
                deadline = time.monotonic() + 10
                while (copied := _copied_so_far(uow_factory)) == 0 and time.monotonic() < deadline:
                    time.sleep(0.05)
                seen_by_server.append(copied)
            yield (None, None, "loader", "note", f"event {i}", AT)

    with uow_factory.engine.begin() as conn:
        assert insert_tuples(conn, audit_events, EVENT_COLUMNS, rows()) == total
    with uow_factory.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(audit_events)) == total
    assert seen_by_server and 0 < seen_by_server[0] <= pause_at


def test_reserving_ids_looks_each_sequence_up_once_not_once_per_id(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    """A chunk reserves a few thousand ids; the look-up of the table's sequence (a catalog search)
    ran once per id, five times the cost of drawing the id itself.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's ids follow the largest one")
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    engine = uow_factory.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.begin() as conn:
            order_ids, line_ids = reserve_id_blocks(conn, [(orders, 3), (order_lines, 5)])
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(set(order_ids)) == 3 and order_ids == sorted(order_ids)
    assert len(set(line_ids)) == 5 and line_ids == sorted(line_ids)
    [(statement, parameters)] = [(s, p) for s, p in sent if "nextval" in s]
    with engine.connect() as conn:
        plan = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN VERBOSE {statement}", parameters)]
    per_id = [line for line in plan if "nextval(" in line]
    assert per_id, plan
    assert not [line for line in per_id if "pg_get_serial_sequence" in line], plan
