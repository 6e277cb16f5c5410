"""Order holds: placed with a reason, released by whoever the reason allows; a held order stays put."""

from __future__ import annotations

from typing import Any

import pytest

from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, PermissionDenied, ValidationError
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail, OrderFilter, OrderView
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock

HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


def _services(factory: FakeUnitOfWorkFactory, clock: FixedClock, who: str) -> Services:
    return Services.build(ServiceContext(factory, TestGateway(clock), clock, who))


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    return _services(fake_factory, clock, "alice")


@pytest.fixture
def supervisor(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    return _services(fake_factory, clock, "sam")


def _customer(services: Services, **fields: Any) -> CustomerDetail:
    fields = {"first_name": "Ann", "last_name": "Smith", "address": HOME, **fields}
    result = services.customers.create(CustomerInput(**fields), allow_duplicate=True)
    assert result.customer is not None
    services.customers.add_card(result.customer.id, CardEntry("4111111111111111", 4, 2030))
    return services.customers.get(result.customer.id)


def _place(services: Services) -> OrderView:
    cart = services.cart.start(_customer(services).id)
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 2)])
    return services.checkout.place(cart.id, confirm_duplicate=True)


def test_a_held_order_is_not_released_or_shipped_and_says_why(services: Services) -> None:
    order = _place(services)
    held = services.holds.place(order.id, "addr", "  gate code <b>[red]x[/red]  ")
    assert held.hold.startswith("address check: gate code <b>[red]x[/red] (by alice, ")
    assert (held.is_held, held.can_release, held.can_ship, held.can_hold) == (True, False, False, False)
    with pytest.raises(InvalidState, match=r"on hold for address check \(by alice\); it cannot be released"):
        services.fulfilment.release(order.id)
    with pytest.raises(InvalidState, match="on hold for address check.*cannot be shipped"):
        services.fulfilment.ship(order.id, ShipRequest("UPS"))
    assert services.orders.get(order.id).status == "placed"


def test_a_released_order_can_be_held_before_it_ships(services: Services) -> None:
    order = _place(services)
    services.fulfilment.release(order.id)
    services.holds.place(order.id, "weather")
    with pytest.raises(InvalidState, match="on hold for weather"):
        services.fulfilment.ship(order.id, ShipRequest("UPS"))
    services.holds.release(order.id)
    services.fulfilment.ship(order.id, ShipRequest("UPS"))
    assert services.orders.get(order.id).status == "shipped"
    with pytest.raises(InvalidState, match="only placed or released orders can be held"):
        services.holds.place(order.id, "weather")


def test_release_all_placed_skips_held_orders(services: Services) -> None:
    held, free = _place(services), _place(services)
    services.holds.place(held.id, "customer request", "call back Friday")
    run = services.fulfilment.release_all_placed()
    assert run.released == [free.number]
    assert run.left == [
        f"order {held.number} is on hold for customer request (by alice); "
        "it cannot be released until the hold is released"
    ]
    assert services.orders.get(held.id).status == "placed"


def test_a_payment_review_is_released_only_by_a_supervisor(services: Services, supervisor: Services) -> None:
    order = _place(services)
    services.holds.place(order.id, "payment review")
    with pytest.raises(PermissionDenied, match="releasing a payment review hold needs a supervisor"):
        services.holds.release(order.id)
    assert services.orders.get(order.id).is_held
    released = supervisor.holds.release(order.id)
    assert not released.is_held and released.can_release
    actions = [
        (e.action, e.operator, e.detail) for e in released.audit if e.action in ("held", "hold released")
    ]
    assert actions[-2:] == [("held", "alice", "payment review"), ("hold released", "sam", "payment review")]


def test_other_reasons_are_released_by_any_operator(services: Services) -> None:
    order = _place(services)
    services.holds.place(order.id, "ship date")
    view = services.holds.release(order.id)
    assert not view.is_held
    services.fulfilment.release(order.id)


def test_holding_twice_an_unknown_reason_a_long_note_and_releasing_no_hold_are_refused(
    services: Services,
) -> None:
    order = _place(services)
    with pytest.raises(ValidationError, match="'snow' is not a hold reason") as error:
        services.holds.place(order.id, "snow")
    assert error.value.field == "reason"
    with pytest.raises(ValidationError, match="is not a hold reason"):
        services.holds.place(order.id, "")
    with pytest.raises(ValidationError, match="at most 200") as error:
        services.holds.place(order.id, "weather", "x" * 201)
    assert error.value.field == "note"
    with pytest.raises(InvalidState, match="is not on hold"):
        services.holds.release(order.id)
    services.holds.place(order.id, "weather")
    with pytest.raises(InvalidState, match="already on hold: weather"):
        services.holds.place(order.id, "address check")


def test_the_orders_list_filters_on_hold(services: Services) -> None:
    held, _free = _place(services), _place(services)
    services.holds.place(held.id, "weather")
    with services.context.read() as uow:
        found = uow.orders.list(OrderFilter(on_hold=True), 50)
    assert [row.id for row in found] == [held.id]


def test_cancelling_a_held_order_takes_it_off_the_held_list(services: Services, supervisor: Services) -> None:
    order = _place(services)
    services.holds.place(order.id, "weather")
    cancelled = supervisor.orders.cancel(order.id, "customer called it off")
    assert (cancelled.status, cancelled.is_held) == ("cancelled", False)
    with services.context.read() as uow:
        assert uow.orders.list(OrderFilter(on_hold=True), 50) == []
