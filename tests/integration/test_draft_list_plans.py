"""My drafts (F5) reads one index range in list order, on both backends, however many drafts the
other operators have open: ``ix_orders_status_operator_updated`` (migration 0022).

Before it, PostgreSQL walked ``ix_orders_status_updated_at`` through every operator's drafts and
filtered out the others' (an operator with no drafts read all of them), and SQLite sorted all of
the operator's drafts before cutting a page. The drafts here are many and spread over many
operators so that PostgreSQL, which chooses by size, sees a table where it matters.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import event, select

from oms_core.read_models import TimePosition
from oms_core.storage import SqlUnitOfWorkFactory
from oms_core.storage.tables import orders
from tests.integration.storage_builders import T0, add_customer, draft

DRAFTS = 6000
OPERATORS = 100


def _drafts(uow_factory: SqlUnitOfWorkFactory) -> dict[str, list[int]]:
    """``DRAFTS`` drafts by ``OPERATORS`` operators; each operator's ids, most recently edited first."""
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith")
        uow.orders.add(draft(ann.id, operator="op0", at=T0))
        uow.commit()
    engine = uow_factory.engine
    rng = random.Random(7)
    with engine.begin() as conn:  # one row copied: 6,000 adds through the repository take minutes
        first = dict(conn.execute(select(orders)).mappings().one())
        del first["id"]
        rows = [
            first | {"operator": f"op{rng.randrange(OPERATORS)}", "updated_at": T0 + timedelta(seconds=n)}
            for n in range(1, DRAFTS)
        ]
        conn.execute(orders.insert(), rows)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")  # statistics, as after a day's work
        conn.commit()
        listed = conn.execute(select(orders.c.operator, orders.c.id).order_by(orders.c.updated_at.desc()))
        by_operator: dict[str, list[int]] = {}
        for operator, order_id in listed:
            by_operator.setdefault(operator, []).append(order_id)
    return by_operator


def _page_and_plan(
    uow_factory: SqlUnitOfWorkFactory, operator: str, after: TimePosition | None
) -> tuple[list[int], list[str]]:
    captured: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "FROM orders" in statement:
            captured.append((statement, parameters))

    engine = uow_factory.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        with uow_factory() as uow:
            page = uow.orders.drafts(operator=operator, limit=20, after=after)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    [(statement, parameters)] = captured
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        cursor.execute(explain + statement, parameters)
        plan = [str(row[-1]) for row in cursor.fetchall()]
        cursor.close()
        conn.rollback()
    return [d.id for d in page], plan


def _reads_orders_by_operator_in_list_order(plan: list[str]) -> None:
    text = "\n".join(plan)
    reads = [step for step in plan if "on orders" in step or "SEARCH orders" in step or "SCAN orders" in step]
    assert reads and all("ix_orders_status_operator_updated" in step for step in reads), text
    assert "TEMP B-TREE FOR ORDER BY" not in text, text  # SQLite: no sort of every draft of theirs
    assert "Sort Key" not in text, text  # PostgreSQL: likewise
    assert "Filter: ((operator)" not in text, text  # PostgreSQL: no walk through others' drafts


def test_my_drafts_reads_only_the_operators_drafts_in_list_order(uow_factory: SqlUnitOfWorkFactory) -> None:
    by_operator = _drafts(uow_factory)
    mine = by_operator["op7"]
    first, plan = _page_and_plan(uow_factory, "op7", None)
    assert first == mine[:20]
    _reads_orders_by_operator_in_list_order(plan)
    with uow_factory() as uow:
        last = uow.orders.get(first[-1])
    second, plan = _page_and_plan(uow_factory, "op7", TimePosition.after_edit(last))
    assert second == mine[20:40]
    _reads_orders_by_operator_in_list_order(plan)


def test_an_operator_with_no_drafts_reads_none_of_the_others(uow_factory: SqlUnitOfWorkFactory) -> None:
    _drafts(uow_factory)
    page, plan = _page_and_plan(uow_factory, "newcomer", None)
    assert page == []
    _reads_orders_by_operator_in_list_order(plan)
