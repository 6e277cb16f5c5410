"""Order holds on both backends: the hold round-trips and the Orders list filters on it, page by page."""

from __future__ import annotations

from datetime import timedelta

from oms_core.domain.holds import Hold, HoldReason
from oms_core.domain.orders import OrderStatus
from oms_core.read_models import OrderFilter, OrderPosition
from oms_core.storage import SqlUnitOfWorkFactory
from tests.integration.storage_builders import T0, add_customer, draft, line, product


def _placed(uow_factory: SqlUnitOfWorkFactory, count: int) -> list[int]:
    ids = []
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith")
        cab = product("CAB-750", "24.00")
        uow.products.add(cab)
        for n in range(count):
            order = draft(ann.id, line(cab, 1))
            order.status, order.number, order.placed_at = (
                OrderStatus.PLACED,
                1001 + n,
                T0 + timedelta(minutes=n),
            )
            uow.orders.add(order)
            ids.append(order.id)
        uow.commit()
    return ids


def test_a_hold_round_trips_and_its_release_clears_it(uow_factory):
    (order_id,) = _placed(uow_factory, 1)
    hold = Hold(HoldReason.PAYMENT_REVIEW, "card 'name' <b>[bold]x[/bold]", "alice", T0)
    with uow_factory(write=True) as uow:
        order = uow.orders.get(order_id)
        order.hold = hold
        uow.orders.save(order)
        uow.commit()
    with uow_factory(write=True) as uow:
        order = uow.orders.get(order_id)
        assert order.hold == hold
        order.hold = None
        uow.orders.save(order)
        uow.commit()
    with uow_factory() as uow:
        assert uow.orders.get(order_id).hold is None


def test_the_on_hold_filter_lists_held_orders_newest_first_in_keyset_pages(uow_factory):
    ids = _placed(uow_factory, 7)
    held = ids[1::2]  # three of seven, one of them released
    with uow_factory(write=True) as uow:
        for order_id in held:
            order = uow.orders.get(order_id)
            order.hold = Hold(HoldReason.WEATHER, "", "alice", T0)
            if order_id == held[0]:
                order.status = OrderStatus.RELEASED
            uow.orders.save(order)
        uow.commit()
    with uow_factory() as uow:
        first = uow.orders.list(OrderFilter(on_hold=True), 2)
        rest = uow.orders.list(OrderFilter(on_hold=True), 2, OrderPosition.after(first[-1]))
        placed_only = uow.orders.list(OrderFilter(status="placed", on_hold=True), 10)
        everything = uow.orders.list(OrderFilter(), 10)
    assert [row.id for row in first + rest] == held[::-1]
    assert [row.id for row in placed_only] == held[:0:-1]
    assert len(everything) == 7
