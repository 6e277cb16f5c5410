"""Ids reserved for many rows at once (``reserve_id_blocks``): what a batch chunk's writes cost
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from oms_core.storage import SqlUnitOfWorkFactory
from oms_core.storage.loading import reserve_id_blocks
from oms_core.storage.tables import order_lines, orders


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
