"""Checkout: placing a draft as one all-or-nothing step, with the payment through the gateway."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import (
    InvalidState,
    OutOfStock,
    PaymentDeclined,
    PaymentUnavailable,
    StaleEdit,
    ValidationError,
)
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CartView, CustomerDetail
from oms_core.services.checkout import DuplicateOrderWarning
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import (
    SKU_CABERNET,
    SKU_CHARDONNAY,
    SKU_CORKSCREW,
    SKU_GIFT_BOX,
    FakeUnitOfWorkFactory,
    FixedClock,
    opener,
)
from tests.unit.conftest import FIXED_NOW

GOOD_CARD = "4111111111111111"
DECLINED_CARD = "4000000000000002"
UNREACHABLE_CARD = "4000000000000119"
CA_HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway(StoppedClock(FIXED_NOW))


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    context = ServiceContext(
        uow_factory=fake_factory, gateway=gateway, clock=clock, operator_username="alice"
    )
    return Services.build(context)


def _customer(services: Services, card: str | None = GOOD_CARD, **fields: Any) -> CustomerDetail:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    fields.setdefault("address", CA_HOME)
    data = CustomerInput(**fields)
    result = opener(services, data).customers.create(data, allow_duplicate=True)
    assert result.customer is not None
    if card:
        services.customers.add_card(result.customer.id, CardEntry(card, 4, 2030))
        return services.customers.get(result.customer.id)
    return result.customer


@pytest.fixture
def ann(services: Services) -> CustomerDetail:
    return _customer(services)


def _draft(services: Services, customer_id: int | None, *items: tuple[str, int]) -> CartView:
    cart = services.cart.start(customer_id)
    return services.cart.add_lines(cart.id, list(items)) if items else cart


def _stock(fake_factory: FakeUnitOfWorkFactory, sku: str) -> int:
    with fake_factory() as uow:
        product = uow.products.get_by_sku(sku)
        assert product is not None
        return product.stock_on_hand


# --- placing --------------------------------------------------------------------------------------


def test_placing_numbers_the_order_takes_stock_and_authorises_the_card(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 2))
    order = services.checkout.place(cart.id, cart.version)

    assert order.id == cart.id
    assert order.number == 1001
    assert order.status == "placed"
    assert order.placed_at == FIXED_NOW
    assert order.operator == "alice"
    assert order.total == cart.total == Decimal("85.03")
    [payment] = order.payments
    assert (payment.method, payment.status, payment.amount) == ("card_on_file", "authorized", order.total)
    assert payment.label == "Visa ending 1111"
    assert payment.reference.startswith("auth_")
    assert [a.action for a in order.audit] == ["payment authorize", "placed"]
    assert _stock(fake_factory, SKU_CABERNET) == 98
    assert services.cart.my_drafts() == []


def test_order_numbers_increase_one_by_one(services: Services, ann: CustomerDetail) -> None:
    numbers = [
        services.checkout.place(_draft(services, ann.id, (sku, 1)).id).number
        for sku in (SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX)
    ]
    assert numbers == [1001, 1002, 1003]


def test_a_placed_order_can_no_longer_be_edited(services: Services, ann: CustomerDetail) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    services.checkout.place(cart.id)
    with pytest.raises(InvalidState, match="can no longer be edited"):
        services.cart.add_line(cart.id, SKU_CHARDONNAY)


def test_out_of_stock_refuses_placing_and_changes_nothing(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 2), (SKU_GIFT_BOX, 6))
    with pytest.raises(OutOfStock, match=f"{SKU_GIFT_BOX}: only 5 on hand, 6 ordered"):
        services.checkout.place(cart.id)

    assert services.cart.get(cart.id) == cart
    assert _stock(fake_factory, SKU_CABERNET) == 100
    assert _stock(fake_factory, SKU_GIFT_BOX) == 5
    assert services.checkout.place(_draft(services, ann.id, (SKU_GIFT_BOX, 5)).id).number == 1001


def test_a_backorder_product_may_go_below_zero(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    services.checkout.place(_draft(services, ann.id, (SKU_CORKSCREW, 3)).id)
    assert _stock(fake_factory, SKU_CORKSCREW) == -3


def test_cash_and_checks_are_recorded_without_the_gateway(services: Services, ann: CustomerDetail) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    cart = services.cart.set_payment(cart.id, "check", check_number="1042")
    [payment] = services.checkout.place(cart.id).payments
    assert (payment.method, payment.label, payment.status, payment.reference) == (
        "check",
        "Check #1042",
        "recorded",
        "",
    )


# --- payment failures -----------------------------------------------------------------------------


def test_a_declined_card_leaves_the_draft_untouched(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 2))
    cart = services.cart.set_payment(cart.id, "card", card=CardEntry(DECLINED_CARD, 4, 2030))

    with pytest.raises(PaymentDeclined, match="Visa ending 0002 declined: Card declined \\(do not honor\\)"):
        services.checkout.place(cart.id, cart.version)

    stored = fake_factory.store.orders[cart.id]
    assert stored.is_draft and stored.number is None and stored.payments == []
    assert services.cart.get(cart.id) == cart
    assert _stock(fake_factory, SKU_CABERNET) == 100
    [event] = [e for e in fake_factory.store.audit if e.order_id == cart.id]
    assert (event.action, event.operator) == ("payment authorize", "alice")
    assert "declined: Card declined (do not honor) [do_not_honor]" in event.detail


def test_after_a_decline_another_card_places_the_order_with_the_first_number(
    services: Services, ann: CustomerDetail
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    cart = services.cart.set_payment(cart.id, "card", card=CardEntry("4000000000009995", 4, 2030))
    with pytest.raises(PaymentDeclined, match="Insufficient funds"):
        services.checkout.place(cart.id)
    cart = services.cart.set_payment(cart.id, "card_on_file", card_id=ann.cards[0].id)
    assert services.checkout.place(cart.id, cart.version).number == 1001


def test_an_unreachable_gateway_changes_nothing(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 2))
    cart = services.cart.set_payment(cart.id, "card", card=CardEntry(UNREACHABLE_CARD, 4, 2030))
    audit_before = list(fake_factory.store.audit)

    with pytest.raises(PaymentUnavailable, match="nothing was charged"):
        services.checkout.place(cart.id)

    assert services.cart.get(cart.id) == cart
    assert fake_factory.store.orders[cart.id].is_draft
    assert _stock(fake_factory, SKU_CABERNET) == 100
    [event] = fake_factory.store.audit[len(audit_before) :]
    assert (event.action, event.order_id) == ("payment authorize", cart.id)
    assert "no answer" in event.detail
    assert gateway.voided == []


# --- readiness ------------------------------------------------------------------------------------


def _problem_fields(services: Services, draft_id: int) -> list[str]:
    return [field for field, _ in services.checkout.problems(draft_id)]


def test_a_draft_without_a_customer_cannot_be_placed(services: Services) -> None:
    cart = _draft(services, None, (SKU_CABERNET, 1))
    assert _problem_fields(services, cart.id) == ["customer"]
    with pytest.raises(ValidationError) as caught:
        services.checkout.place(cart.id)
    assert caught.value.field == "customer"


def test_every_missing_choice_is_listed(services: Services) -> None:
    nobody = _customer(services, card=None, address=None)
    cart = _draft(services, nobody.id)
    assert _problem_fields(services, cart.id) == ["lines", "ship_to", "payment"]
    with pytest.raises(ValidationError) as caught:
        services.checkout.place(cart.id)
    assert [field for field, _ in caught.value.problems] == ["lines", "ship_to", "payment"]


def test_pickup_needs_no_ship_to(services: Services, fake_factory: FakeUnitOfWorkFactory) -> None:
    walk_in = _customer(services, card=None, address=None)
    cart = _draft(services, walk_in.id, (SKU_CABERNET, 1))
    services.cart.set_payment(cart.id, "cash")
    cart = services.cart.set_shipping_method(cart.id, "WILLCALL")
    assert services.checkout.problems(cart.id) == []
    order = services.checkout.place(cart.id)
    assert order.ship_to is None and order.shipping == Decimal("0.00")


def test_a_customer_on_hold_cannot_order(services: Services) -> None:
    held = _customer(services, status="on_hold")
    cart = _draft(services, held.id, (SKU_CABERNET, 1))
    assert "customer is on hold" in cart.warnings
    assert services.checkout.problems(cart.id) == [("customer", "customer is on hold")]
    with pytest.raises(ValidationError):
        services.checkout.place(cart.id)


def test_a_stale_version_is_refused_at_checkout(services: Services, ann: CustomerDetail) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    services.cart.set_notes(cart.id, "leave at the door")
    with pytest.raises(StaleEdit):
        services.checkout.place(cart.id, cart.version)


# --- duplicates -----------------------------------------------------------------------------------


def test_the_same_items_within_a_day_need_a_confirmation(
    services: Services, ann: CustomerDetail, clock: FixedClock
) -> None:
    services.checkout.place(_draft(services, ann.id, (SKU_CABERNET, 2)).id)
    clock.advance(timedelta(hours=3))
    again = _draft(services, ann.id, (SKU_CABERNET, 2))

    assert services.checkout.duplicate_warning(again.id) == (
        "order 1001 with the same items was placed for this customer 3 h ago"
    )
    with pytest.raises(DuplicateOrderWarning, match="order 1001"):
        services.checkout.place(again.id)
    assert services.cart.get(again.id) == again

    assert services.checkout.place(again.id, confirm_duplicate=True).number == 1002


def test_different_items_or_an_older_order_are_not_duplicates(
    services: Services, ann: CustomerDetail, clock: FixedClock
) -> None:
    services.checkout.place(_draft(services, ann.id, (SKU_CABERNET, 2)).id)
    assert services.checkout.duplicate_warning(_draft(services, ann.id, (SKU_CABERNET, 3)).id) is None
    clock.advance(timedelta(hours=25))
    assert services.checkout.place(_draft(services, ann.id, (SKU_CABERNET, 2)).id).number == 1002


# --- copies on the order --------------------------------------------------------------------------


def test_prices_and_addresses_are_copied_onto_the_placed_order(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    placed = services.checkout.place(_draft(services, ann.id, (SKU_CABERNET, 2)).id)

    with fake_factory(write=True) as uow:
        cabernet = uow.products.get_by_sku(SKU_CABERNET)
        assert cabernet is not None
        uow.products.update(replace(cabernet, list_price=Decimal("99.00"), name="Renamed"))
        uow.reference.save_tax_rate(replace(uow.reference.tax_rates()[0], rate=Decimal("0.5")))
        uow.commit()
    moved = replace(CA_HOME, address1="99 New Rd", city="Los Angeles", zip="90001")
    services.customers.save_address(ann.id, moved, address_id=ann.addresses[0].id)

    again = services.orders.get(placed.id)
    assert again.lines == placed.lines
    assert (again.lines[0].name, again.lines[0].unit_price) == ("Cabernet 2019", Decimal("35.00"))
    assert (again.subtotal, again.tax, again.total) == (placed.subtotal, placed.tax, placed.total)
    assert again.ship_to == CA_HOME and again.bill_to == CA_HOME


def test_a_card_removed_from_file_is_not_charged(services: Services, ann: CustomerDetail) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    assert cart.card_id == ann.cards[0].id
    services.customers.delete_card(ann.id, ann.cards[0].id)

    assert services.checkout.problems(cart.id) == [("payment", "that card is no longer on file")]
    with pytest.raises(ValidationError):
        services.checkout.place(cart.id)


# --- a customer's address book and cards are not read to place an order ----------------------------


def test_checking_and_placing_never_load_the_whole_customer(
    services: Services, ann: CustomerDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A customer with 500 addresses and 30 cards must cost checkout what one with one of each does:
    # checkout reads the customer's summary, pricing and card ids, never the address book.
    from tests.fakes import FakeCustomerRepository

    cart = _draft(services, ann.id, (SKU_CABERNET, 1))

    def whole_customer(self: FakeCustomerRepository, customer_id: int) -> None:
        raise AssertionError("checkout loaded the whole customer (address book and cards)")

    monkeypatch.setattr(FakeCustomerRepository, "get", whole_customer)
    assert services.checkout.problems(cart.id) == []
    order = services.checkout.place(cart.id, cart.version)
    assert order.status == "placed" and order.customer is not None and order.customer.id == ann.id


def test_a_card_removed_after_it_was_chosen_is_still_refused_without_the_whole_customer(
    services: Services, ann: CustomerDetail
) -> None:
    cart = _draft(services, ann.id, (SKU_CABERNET, 1))
    services.customers.delete_card(ann.id, ann.cards[0].id)
    with pytest.raises(ValidationError) as refused:
        services.checkout.place(cart.id)
    assert "payment" in {field for field, _ in refused.value.problems}
