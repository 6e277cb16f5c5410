"""After the sale: release to the warehouse, ship whole or in part, deliver; the picklist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail, OrderView
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW

HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    context = ServiceContext(fake_factory, TestGateway(clock), clock, "alice")
    return Services.build(context)


def _customer(services: Services, **fields: Any) -> CustomerDetail:
    fields = {"first_name": "Ann", "last_name": "Smith", "address": HOME, **fields}
    result = services.customers.create(CustomerInput(**fields), allow_duplicate=True)
    assert result.customer is not None
    services.customers.add_card(result.customer.id, CardEntry("4111111111111111", 4, 2030))
    return services.customers.get(result.customer.id)


def _place(services: Services, *items: tuple[str, int]) -> OrderView:
    cart = services.cart.start(_customer(services).id)
    cart = services.cart.add_lines(cart.id, list(items))
    return services.checkout.place(cart.id, confirm_duplicate=True)


def test_a_placed_order_is_released_once_and_recorded(services):
    order = _place(services, (SKU_CABERNET, 2))
    released = services.fulfilment.release(order.id)
    assert released.status == "released"
    assert (released.audit[-1].action, released.audit[-1].operator) == ("released", "alice")
    with pytest.raises(InvalidState, match="only placed orders are released"):
        services.fulfilment.release(order.id)


def test_shipping_everything_at_once_ships_the_order(services):
    order = _place(services, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    services.fulfilment.release(order.id)
    shipment = services.fulfilment.ship(order.id, ShipRequest("UPS", "Ground", "1Z999AA10123456784"))
    assert shipment.lines == ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    view = services.orders.get(order.id)
    assert view.status == "shipped"
    assert [s.tracking_number for s in view.shipments] == ["1Z999AA10123456784"]
    shipped = [e.detail for e in view.audit if e.action == "shipped"]
    assert shipped == ["UPS Ground 1Z999AA10123456784: 3 units"]


def test_a_part_shipment_leaves_the_rest_to_ship_and_the_next_ships_it(services):
    order = _place(services, (SKU_CABERNET, 3), (SKU_CHARDONNAY, 1))
    services.fulfilment.ship(order.id, ShipRequest("FedEx", "", "7489", ((SKU_CABERNET, 2),)))
    assert services.orders.get(order.id).status == "part_shipped"
    with pytest.raises(ValidationError, match=f"only 1 of {SKU_CABERNET} left to ship"):
        services.fulfilment.ship(order.id, ShipRequest("FedEx", "", "7490", ((SKU_CABERNET, 2),)))
    last = services.fulfilment.ship(
        order.id, ShipRequest("FedEx", "", "7491", ((SKU_CABERNET, None), (SKU_CHARDONNAY, None)))
    )
    assert last.lines == ((SKU_CABERNET, 1), (SKU_CHARDONNAY, 1))
    assert services.orders.get(order.id).status == "shipped"
    with pytest.raises(InvalidState, match="nothing to ship"):
        services.fulfilment.ship(order.id, ShipRequest("FedEx"))


@pytest.mark.parametrize(
    ("request_", "field", "message"),
    [
        (ShipRequest(" "), "carrier", "give the carrier"),
        (ShipRequest("UPS", tracking_number="1Z\r\nBcc"), "tracking_number", "is not a tracking number"),
        (ShipRequest("UPS", items=(("NOPE-1", 1),)), "sku", "NOPE-1 is not on order"),
        (ShipRequest("UPS", items=((SKU_CABERNET, 0),)), "quantity", "at least 1"),
    ],
)
def test_a_shipment_that_does_not_fit_is_refused_naming_the_field(services, request_, field, message):
    order = _place(services, (SKU_CABERNET, 1))
    with pytest.raises(ValidationError, match=message) as caught:
        services.fulfilment.ship(order.id, request_)
    assert caught.value.field == field
    assert services.orders.get(order.id).shipments == ()


def test_the_same_tracking_number_twice_is_refused(services):
    order = _place(services, (SKU_CABERNET, 2))
    services.fulfilment.ship(order.id, ShipRequest("UPS", tracking_number="1Z1", items=((SKU_CABERNET, 1),)))
    with pytest.raises(ValidationError, match="already recorded"):
        services.fulfilment.ship(order.id, ShipRequest("UPS", tracking_number="1Z1"))


def test_a_future_ship_date_is_refused(services):
    order = _place(services, (SKU_CABERNET, 1))
    with pytest.raises(ValidationError, match="in the future"):
        services.fulfilment.ship(order.id, ShipRequest("UPS"), shipped_at=FIXED_NOW + timedelta(days=1))


def test_a_cancelled_order_cannot_ship_and_a_shipped_one_cannot_be_cancelled(services, fake_factory, clock):
    boss = Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "sam"))
    order = _place(services, (SKU_CABERNET, 1))
    boss.orders.cancel(order.id, "duplicate")
    with pytest.raises(InvalidState, match="cancelled: nothing to ship"):
        services.fulfilment.ship(order.id, ShipRequest("UPS"))
    part = _place(services, (SKU_CABERNET, 2))
    services.fulfilment.ship(part.id, ShipRequest("UPS", items=((SKU_CABERNET, 1),)))
    with pytest.raises(InvalidState, match="part shipped cannot become cancelled"):
        boss.orders.cancel(part.id, "too late")


def test_delivery_follows_a_full_shipment_only(services):
    order = _place(services, (SKU_CABERNET, 2))
    with pytest.raises(InvalidState, match="placed cannot become delivered"):
        services.fulfilment.mark_delivered(order.id)
    services.fulfilment.ship(order.id, ShipRequest("USPS", "Priority", "9400"))
    delivered = services.fulfilment.mark_delivered(order.id)
    assert delivered.status == "delivered"
    assert delivered.shipments[0].delivered_at == FIXED_NOW


def test_the_picklist_lists_released_orders_lines_in_release_order(services, clock):
    first = _place(services, (SKU_CABERNET, 2), (SKU_GIFT_BOX, 1))
    second = _place(services, (SKU_CHARDONNAY, 1))
    not_released = _place(services, (SKU_CABERNET, 1))
    services.fulfilment.release(second.id)
    clock.advance(timedelta(minutes=5))
    services.fulfilment.release(first.id)
    rows = list(services.fulfilment.picklist(None, None))
    assert [(r.order_number, r.sku, r.quantity) for r in rows] == [
        (second.number, SKU_CHARDONNAY, 1),
        (first.number, SKU_CABERNET, 2),
        (first.number, SKU_GIFT_BOX, 1),
    ]
    assert not_released.number not in {r.order_number for r in rows}
    later = list(services.fulfilment.picklist(FIXED_NOW + timedelta(minutes=1), None))
    assert {r.order_number for r in later} == {first.number}
    assert rows[0].ship_to.startswith("Ann Smith, 1 Main St")


def test_each_shipment_captures_what_it_carried_and_the_last_one_the_rest(fake_factory, clock):
    gateway = TestGateway(StoppedClock(FIXED_NOW))
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    order = _place(services, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    with fake_factory(write=False) as uow:
        stored = uow.orders.get(order.id)
    cabernet = next(line for line in stored.lines if line.sku == SKU_CABERNET)
    # The first shipment: its lines with their tax, and the shipping charge with its tax.
    share = cabernet.line_total + cabernet.line_tax + stored.shipping_charge + stored.shipping_tax
    assert 0 < share < order.total

    first = services.fulfilment.ship(order.id, ShipRequest("UPS", items=((SKU_CABERNET, 2),)))
    assert first.capture == "captured"
    assert [amount for _, amount in gateway.captured] == [share]
    assert [p.status for p in services.orders.get(order.id).payments] == ["authorized"]

    last = services.fulfilment.ship(order.id, ShipRequest("UPS"))
    assert last.capture == "captured"
    assert [amount for _, amount in gateway.captured] == [share, order.total - share]
    view = services.orders.get(order.id)
    assert [(p.status, p.amount) for p in view.payments] == [("captured", order.total)]
    assert [s.capture for s in view.shipments] == ["captured", "captured"]
    history = [call.describe() for call in services.payments.history(order.id)]
    assert [line.split(" ")[0:2] for line in history[1:]] == [
        ["partial", "capture"],
        ["capture", str(order.total - share)],
    ]


def test_a_gateway_that_cannot_capture_part_leaves_it_all_to_the_last_shipment(
    fake_factory, clock, monkeypatch
):
    gateway = TestGateway(StoppedClock(FIXED_NOW))
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    order = _place(services, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    whole_only = gateway.capture

    def capture(reference, amount, key, final=True):
        if not final:
            from oms_core.domain.gateway_calls import PART_CAPTURE_UNAVAILABLE
            from oms_core.ports import GatewayAnswer

            return GatewayAnswer.decline("no multicapture for this card", PART_CAPTURE_UNAVAILABLE)
        return whole_only(reference, amount, key, final)

    monkeypatch.setattr(gateway, "capture", capture)
    first = services.fulfilment.ship(order.id, ShipRequest("UPS", items=((SKU_CABERNET, 2),)))
    assert first.capture == "with the last shipment"
    assert gateway.captured == []
    last = services.fulfilment.ship(order.id, ShipRequest("UPS"))
    assert last.capture == "captured"
    assert [amount for _, amount in gateway.captured] == [order.total]
    assert services.orders.get(order.id).audit[-1].action != "capture failed"


def test_a_failed_part_capture_is_made_good_by_the_last_shipment(fake_factory, clock, monkeypatch):
    gateway = TestGateway(StoppedClock(FIXED_NOW))
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    order = _place(services, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    working = gateway.capture
    monkeypatch.setattr(gateway, "capture", lambda *args, **kwargs: _unanswered())
    first = services.fulfilment.ship(order.id, ShipRequest("UPS", items=((SKU_CABERNET, 2),)))
    assert first.capture.startswith("failed: ")
    view = services.orders.get(order.id)
    assert view.status == "part_shipped" and view.audit[-1].action == "capture failed"
    monkeypatch.setattr(gateway, "capture", working)
    assert services.fulfilment.ship(order.id, ShipRequest("UPS")).capture == "captured"
    assert [amount for _, amount in gateway.captured] == [order.total]


def test_a_capture_that_fails_leaves_the_order_shipped_and_flagged(fake_factory, clock, monkeypatch):
    gateway = TestGateway(StoppedClock(FIXED_NOW))
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    order = _place(services, (SKU_CABERNET, 1))
    monkeypatch.setattr(gateway, "capture", lambda *args, **kwargs: _declined())
    shipment = services.fulfilment.ship(order.id, ShipRequest("UPS", tracking_number="1Z2"))
    assert shipment.capture.startswith("failed: ")
    view = services.orders.get(order.id)
    assert view.status == "shipped"
    assert view.shipments[0].capture == shipment.capture
    assert view.audit[-1].action == "capture failed"


def test_an_order_paid_by_check_needs_no_capture(services, fake_factory):
    cart = services.cart.start(_customer(services).id)
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
    services.cart.set_payment(cart.id, "check", check_number="1234")
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    assert services.fulfilment.ship(order.id, ShipRequest("UPS")).capture == "not needed"


def _declined():
    from oms_core.ports import GatewayAnswer

    return GatewayAnswer.decline("expired authorisation", "expired")


def _unanswered():
    from oms_core.ports import GatewayAnswer

    return GatewayAnswer.no_answer("the payment gateway did not answer")
