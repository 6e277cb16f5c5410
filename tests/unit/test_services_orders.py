"""Placed orders: cancelling (supervisors only), moving on, reordering, lists and drafts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, NotFound, PermissionDenied, ValidationError
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail, OrderFilter, OrderView
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CORKSCREW, SKU_GIFT_BOX, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW

CA_HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway(StoppedClock(FIXED_NOW))


def _services(factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock, who: str) -> Services:
    context = ServiceContext(uow_factory=factory, gateway=gateway, clock=clock, operator_username=who)
    return Services.build(context)


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return _services(fake_factory, gateway, clock, "alice")


@pytest.fixture
def supervisor(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return _services(fake_factory, gateway, clock, "sam")


def _customer(services: Services, **fields: Any) -> CustomerDetail:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    fields.setdefault("address", CA_HOME)
    result = services.customers.create(CustomerInput(**fields), allow_duplicate=True)
    assert result.customer is not None
    services.customers.add_card(result.customer.id, CardEntry("4111111111111111", 4, 2030))
    return services.customers.get(result.customer.id)


@pytest.fixture
def ann(services: Services) -> CustomerDetail:
    return _customer(services)


def _place(services: Services, customer_id: int, *items: tuple[str, int]) -> OrderView:
    cart = services.cart.start(customer_id)
    cart = services.cart.add_lines(cart.id, list(items))
    return services.checkout.place(cart.id, confirm_duplicate=True)


def _stock(factory: FakeUnitOfWorkFactory, sku: str) -> int:
    with factory() as uow:
        product = uow.products.get_by_sku(sku)
        assert product is not None
        return product.stock_on_hand


def _set_product(factory: FakeUnitOfWorkFactory, sku: str, **changes: Any) -> None:
    with factory(write=True) as uow:
        product = uow.products.get_by_sku(sku)
        assert product is not None
        uow.products.update(replace(product, **changes))
        uow.commit()


# --- cancel ---------------------------------------------------------------------------------------


def test_an_operator_cannot_cancel_an_order(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 2))
    with pytest.raises(PermissionDenied, match="cancelling an order needs a supervisor"):
        services.orders.cancel(order.id, "customer changed their mind")
    assert services.orders.get(order.id).status == "placed"
    assert _stock(fake_factory, SKU_CABERNET) == 98
    assert gateway.voided == []


def test_a_supervisor_cancels_restocks_voids_and_records_why(
    services: Services,
    supervisor: Services,
    ann: CustomerDetail,
    fake_factory: FakeUnitOfWorkFactory,
    gateway: TestGateway,
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 2), (SKU_CORKSCREW, 1))
    reference = order.payments[0].reference

    cancelled = supervisor.orders.cancel(order.id, "  customer changed their mind ")

    assert cancelled.status == "cancelled"
    assert cancelled.number == order.number
    assert [p.status for p in cancelled.payments] == ["voided"]
    assert gateway.voided == [reference]
    assert _stock(fake_factory, SKU_CABERNET) == 100
    assert _stock(fake_factory, SKU_CORKSCREW) == 0
    why, void = cancelled.audit[-2:]
    assert (why.operator, why.action, why.detail) == ("sam", "cancelled", "customer changed their mind")
    assert (void.action, void.detail) == (
        "payment void",
        f"void {order.total} Visa ending 1111: approved {reference}",
    )
    assert services.orders.get(order.id) == cancelled


def test_cancelling_needs_a_reason(supervisor: Services, services: Services, ann: CustomerDetail) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    with pytest.raises(ValidationError) as caught:
        supervisor.orders.cancel(order.id, " ")
    assert caught.value.field == "reason"


def test_shipped_and_cancelled_orders_cannot_be_cancelled(
    supervisor: Services, services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    shipped = _place(services, ann.id, (SKU_CABERNET, 1))
    services.fulfilment.release(shipped.id)
    services.fulfilment.ship(shipped.id, ShipRequest("UPS", "Ground", "1Z999"))
    assert services.orders.get(shipped.id).status == "shipped"
    with pytest.raises(InvalidState, match="shipped cannot become cancelled"):
        supervisor.orders.cancel(shipped.id, "too late")

    gone = _place(services, ann.id, (SKU_GIFT_BOX, 1))
    supervisor.orders.cancel(gone.id, "duplicate")
    with pytest.raises(InvalidState):
        supervisor.orders.cancel(gone.id, "again")
    assert _stock(fake_factory, SKU_GIFT_BOX) == 5


def test_a_draft_is_discarded_not_cancelled(supervisor: Services, ann: CustomerDetail) -> None:
    cart = supervisor.cart.start(ann.id)
    with pytest.raises(ValidationError, match="discarded"):
        supervisor.orders.cancel(cart.id, "no")


# --- reorder --------------------------------------------------------------------------------------


def test_reorder_makes_a_new_draft_at_todays_prices(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    past = _place(services, ann.id, (SKU_CABERNET, 2), (SKU_CORKSCREW, 1))
    _set_product(fake_factory, SKU_CABERNET, list_price=Decimal("40.00"))

    cart = services.orders.reorder(past.id)

    assert cart.id != past.id
    assert [(line.sku, line.quantity, line.unit_price) for line in cart.lines] == [
        (SKU_CABERNET, 2, Decimal("40.00")),
        (SKU_CORKSCREW, 1, Decimal("9.99")),
    ]
    assert cart.customer is not None and cart.customer.id == ann.id
    assert cart.ship_to == CA_HOME
    assert cart.payment_method == "card_on_file"
    assert services.orders.get(past.id).lines[0].unit_price == Decimal("35.00")
    assert [d.id for d in services.cart.my_drafts()] == [cart.id]


def test_reorder_leaves_out_products_no_longer_sold_with_a_warning(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    past = _place(services, ann.id, (SKU_CABERNET, 1), (SKU_GIFT_BOX, 2))
    _set_product(fake_factory, SKU_GIFT_BOX, active=False)

    cart = services.orders.reorder(past.id)

    assert [line.sku for line in cart.lines] == [SKU_CABERNET]
    assert f"not reordered, no longer sold: {SKU_GIFT_BOX}" in cart.warnings


def test_a_one_off_card_is_not_reused_by_a_reorder(services: Services, ann: CustomerDetail) -> None:
    cart = services.cart.add_line(services.cart.start(ann.id).id, SKU_CABERNET)
    services.cart.set_payment(cart.id, "card", card=CardEntry("5555555555554444", 4, 2030))
    past = services.checkout.place(cart.id)
    assert services.orders.reorder(past.id).payment_method is None


# --- lists ----------------------------------------------------------------------------------------


def test_orders_are_listed_newest_first_and_filtered(
    services: Services, supervisor: Services, ann: CustomerDetail, clock: FixedClock
) -> None:
    bob = _customer(services, first_name="Bob", last_name="Jones")
    first = _place(services, ann.id, (SKU_CABERNET, 1))
    clock.advance(timedelta(minutes=5))
    second = _place(services, bob.id, (SKU_CABERNET, 1))
    clock.advance(timedelta(minutes=5))
    third = _place(services, ann.id, (SKU_GIFT_BOX, 1))
    supervisor.orders.cancel(third.id, "duplicate")
    services.cart.start(ann.id)  # an open draft is not an order yet

    def numbers(order_filter: OrderFilter | None = None) -> list[int | None]:
        return [o.number for o in services.orders.list(order_filter)]

    assert numbers() == [third.number, second.number, first.number]
    assert numbers(OrderFilter(status="placed")) == [second.number, first.number]
    assert numbers(OrderFilter(status="cancelled")) == [third.number]
    assert numbers(OrderFilter(customer_id=ann.id)) == [third.number, first.number]
    assert numbers(OrderFilter(number=1002)) == [1002]
    assert services.orders.get_by_number("#1002").id == second.id
    with pytest.raises(NotFound):
        services.orders.get_by_number(9999)
    with pytest.raises(ValidationError):
        services.orders.get_by_number("abc")


def test_my_drafts_are_this_operators_open_drafts_most_recent_first(
    services: Services, supervisor: Services, ann: CustomerDetail, clock: FixedClock
) -> None:
    older = services.cart.start(ann.id)
    clock.advance(timedelta(minutes=1))
    newer = services.cart.start()
    supervisor.cart.start(ann.id)
    placed = services.cart.add_line(services.cart.start(ann.id).id, SKU_CABERNET)
    services.checkout.place(placed.id)

    assert [d.id for d in services.cart.my_drafts()] == [newer.id, older.id]
    assert [d.operator for d in supervisor.cart.my_drafts()] == ["sam"]
    assert [d.id for d in services.customers.get(ann.id).open_drafts][-1] == older.id


def test_a_reorder_does_not_offer_a_card_removed_from_file(services: Services, ann: CustomerDetail) -> None:
    past = _place(services, ann.id, (SKU_CABERNET, 1))
    services.customers.delete_card(ann.id, ann.cards[0].id)
    assert services.orders.reorder(past.id).payment_method is None
