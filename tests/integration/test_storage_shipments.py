"""Releases and shipments on both backends: round trips, keyset pages of releases, deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_core.domain.fulfilment import Shipment, ShipmentLine
from oms_core.domain.orders import OrderStatus
from oms_core.storage import SqlUnitOfWorkFactory
from tests.integration.storage_builders import T0, add_customer, draft, line, product


@pytest.fixture
def placed(uow_factory: SqlUnitOfWorkFactory) -> list[int]:
    """Three placed orders of one customer, each with two lines."""
    ids = []
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith")
        cab, gift = product("CAB-750", "24.00"), product("GIFT-BOX", "5.50")
        uow.products.add(cab)
        uow.products.add(gift)
        for number in (1001, 1002, 1003):
            order = draft(ann.id, line(cab, 3), line(gift, 1))
            order.status, order.number, order.placed_at = OrderStatus.PLACED, number, T0
            uow.orders.add(order)
            ids.append(order.id)
        uow.commit()
    return ids


def test_a_shipment_with_its_lines_comes_back_whole(uow_factory, placed):
    with uow_factory(write=True) as uow:
        order = uow.orders.get(placed[0])
        cab_line = order.lines[0]
        first = Shipment(
            None, order.id, "UPS", "Ground", "1Z1", T0, (ShipmentLine(cab_line.id, "CAB-750", 2),), "ann"
        )
        second = Shipment(
            None,
            order.id,
            "UPS",
            "",
            "",
            T0 + timedelta(hours=1),
            (ShipmentLine(cab_line.id, "CAB-750", 1),),
            "import",
        )
        first_id = uow.shipments.add(first)
        uow.shipments.add(second)
        uow.shipments.set_capture(first_id, "captured")
        uow.commit()
    with uow_factory() as uow:
        stored = uow.shipments.for_order(placed[0])
        assert [s.tracking_number for s in stored] == ["1Z1", ""]
        assert stored[0].lines == (ShipmentLine(cab_line.id, "CAB-750", 2),)
        assert (stored[0].capture, stored[1].recorded_by, stored[1].shipped_at) == (
            "captured",
            "import",
            T0 + timedelta(hours=1),
        )
        assert uow.shipments.for_order(placed[1]) == []
    with uow_factory(write=True) as uow:
        assert uow.shipments.mark_delivered(placed[0], T0 + timedelta(days=2)) == 2
        assert uow.shipments.mark_delivered(placed[0], T0 + timedelta(days=3)) == 0
        uow.commit()
    with uow_factory() as uow:
        assert {s.delivered_at for s in uow.shipments.for_order(placed[0])} == {T0 + timedelta(days=2)}


def test_releases_are_paged_oldest_first_without_offsets(uow_factory, placed):
    with uow_factory(write=True) as uow:
        uow.shipments.release(placed[2], T0, "ann")
        uow.shipments.release(placed[0], T0, "ann")  # same time: the order id breaks the tie
        uow.shipments.release(placed[1], T0 + timedelta(minutes=1), "bob")
        uow.commit()
    with uow_factory() as uow:
        first_page = uow.shipments.released(None, None, None, 2)
        assert first_page == [(T0, placed[0]), (T0, placed[2])]
        assert uow.shipments.released(None, None, first_page[-1], 2) == [
            (T0 + timedelta(minutes=1), placed[1])
        ]
        assert uow.shipments.released(T0 + timedelta(seconds=1), None, None, 10) == [
            (T0 + timedelta(minutes=1), placed[1])
        ]
        assert uow.shipments.released(None, T0 + timedelta(seconds=1), None, 10) == first_page
