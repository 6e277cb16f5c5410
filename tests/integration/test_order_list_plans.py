"""The Orders list's filters read the index that narrows most, on both backends.

A held order is rare; an operator's orders are a quarter of a year's. With a hold and an operator
both asked, each status arm must read ix_orders_status_held_placed: led by the operator's index,
an arm of a status with no held order walks every one of that operator's orders in it. The plans
are checked on SQLite (PostgreSQL chooses by table size, which 60 rows do not show: its plans at a
million orders are in BENCHMARKS.md); the results on both.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from oms_core.domain.holds import Hold, HoldReason
from oms_core.domain.orders import OrderStatus
from oms_core.read_models import OrderFilter
from oms_core.storage import SqlUnitOfWorkFactory
from tests.integration.storage_builders import T0, add_customer, draft, line, product


def _orders(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith")
        cab = product("CAB-750", "24.00")
        uow.products.add(cab)
        for n in range(60):
            order = draft(ann.id, line(cab, 1))
            order.status = OrderStatus.DELIVERED if n % 6 else OrderStatus.PLACED
            order.number, order.placed_at = 1001 + n, T0 + timedelta(minutes=n)
            order.operator = ("alice", "bob", "carol")[n % 3]
            if n == 6:
                order.status = OrderStatus.PLACED
                order.hold = Hold(HoldReason.WEATHER, "", "alice", T0)
            uow.orders.add(order)
        uow.commit()
    with uow_factory.engine.connect() as conn:  # statistics, as after a seed or a club run
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def _plans(uow_factory: SqlUnitOfWorkFactory, order_filter: OrderFilter) -> tuple[list[str], list[int]]:
    captured: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "FROM orders" in statement:
            captured.append((statement, parameters))

    event.listen(uow_factory.engine, "before_cursor_execute", remember)
    try:
        with uow_factory() as uow:
            found = [row.number for row in uow.orders.list(order_filter, 50)]
    finally:
        event.remove(uow_factory.engine, "before_cursor_execute", remember)
    [(statement, parameters)] = captured
    with uow_factory.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if uow_factory.engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = [str(row[-1]) for row in cursor.fetchall()]
        else:
            cursor.execute("SET enable_seqscan = off")  # a tiny table would be read whole anyway
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = [str(row[0]) for row in cursor.fetchall()]
        cursor.close()
        conn.rollback()
    return plan, found


def test_a_hold_with_an_operator_reads_the_hold_index_in_every_status(uow_factory: SqlUnitOfWorkFactory):
    _orders(uow_factory)
    plan, found = _plans(uow_factory, OrderFilter(on_hold=True, operator="alice"))
    assert found == [1007]
    if uow_factory.engine.dialect.name != "sqlite":
        return  # PostgreSQL picks among indexes by size: on 60 rows any is as good (1M: BENCHMARKS.md)
    reads = [step for step in plan if "orders" in step and "ix_orders_" in step]
    assert reads and all("ix_orders_status_held_placed" in step for step in reads), "\n".join(plan)


def test_an_operator_with_a_source_they_never_use_reads_one_index_range(uow_factory: SqlUnitOfWorkFactory):
    _orders(uow_factory)  # every order is by phone
    plan, found = _plans(uow_factory, OrderFilter(source="fax", operator="alice"))
    assert found == []
    plan_with, found_with = _plans(uow_factory, OrderFilter(source="phone", operator="alice"))
    assert len(found_with) == 20
    if uow_factory.engine.dialect.name != "sqlite":
        return
    reads = [step for step in plan if "ix_orders_" in step]
    assert reads and all("ix_orders_status_operator_source_placed" in step for step in reads), "\n".join(plan)
    assert all("source=?" in step for step in reads), "\n".join(plan)


def test_an_operator_alone_reads_their_orders_in_list_order(uow_factory: SqlUnitOfWorkFactory):
    _orders(uow_factory)
    plan, found = _plans(uow_factory, OrderFilter(operator="alice"))
    assert len(found) == 20
    if uow_factory.engine.dialect.name != "sqlite":
        return
    reads = [step for step in plan if "ix_orders_" in step]
    # In list order: no sort of every one of the operator's orders before a page is cut.
    assert reads and all("ix_orders_status_operator_placed" in step for step in reads), "\n".join(plan)
