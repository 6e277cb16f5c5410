"""Changing a placed order before release: re-priced, stock both ways, the card following the total,
a decline leaving the order as it was, refusals in one line, and the audit old -> new."""

from __future__ import annotations

import socket
from dataclasses import replace
from decimal import Decimal

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import (
    InvalidState,
    OutOfStock,
    PaymentDeclined,
    PermissionDenied,
    ValidationError,
)
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer
from oms_core.read_models import CartView, CustomerDetail, OrderView
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW
from tests.unit.test_services_orders import _customer, _place, _services, _set_product, _stock


class ChangeDeclines(TestGateway):
    """Approves checkout, declines every authorisation asked for a change."""

    __test__ = False

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        if idempotency_key.startswith("change-"):
            return GatewayAnswer.decline("Insufficient funds", "insufficient_funds")
        return super().authorize(token, amount, idempotency_key)


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway(StoppedClock(FIXED_NOW))


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return _services(fake_factory, gateway, clock, "alice")


@pytest.fixture
def ann(services: Services) -> CustomerDetail:
    return _customer(services)


def _line(cart: CartView, sku: str) -> int:
    return next(line.id for line in cart.lines if line.sku == sku)


def _order_of(services: Services, order: OrderView) -> OrderView:
    return services.orders.get(order.id)


def test_a_higher_total_authorises_the_new_total_then_voids_the_old(
    services: Services, ann: CustomerDetail, gateway: TestGateway, fake_factory: FakeUnitOfWorkFactory
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    old_reference = order.payments[0].reference
    stock = _stock(fake_factory, SKU_CABERNET)

    draft = services.changes.start(order.id)
    assert draft.is_change and draft.changes_number == order.number and draft.was_total == order.total
    draft = services.cart.set_quantity(draft.id, _line(draft, SKU_CABERNET), 3, version=draft.version)
    result = services.changes.apply(draft.id, draft.version)

    changed = result.order
    assert [line.quantity for line in changed.lines] == [3]
    assert changed.total > order.total
    assert _stock(fake_factory, SKU_CABERNET) == stock - 2
    assert [(p.status, p.amount) for p in changed.payments] == [
        ("voided", order.total),
        ("authorized", changed.total),
    ]
    assert gateway.voided == [old_reference]
    history = [(c.action, c.status, c.purpose) for c in services.payments.history(order.id)]
    assert history[-2:] == [
        (CallAction.AUTHORIZE, CallStatus.APPROVED, CallPurpose.CHANGE),
        (CallAction.VOID, CallStatus.APPROVED, CallPurpose.PAYMENT),
    ]
    assert f"{SKU_CABERNET}: 1 -> 3" in result.changes
    assert f"total: {order.total} -> {changed.total}" in result.changes
    assert any(
        event.action == "changed" and f"{SKU_CABERNET}: 1 -> 3" in event.detail for event in changed.audit
    )
    assert services.cart.my_drafts() == []  # the change draft is gone once applied


def test_a_removed_line_goes_back_to_stock_and_the_card_is_held_for_less(
    services: Services, ann: CustomerDetail, gateway: TestGateway, fake_factory: FakeUnitOfWorkFactory
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 2), (SKU_GIFT_BOX, 2))
    gift_boxes = _stock(fake_factory, SKU_GIFT_BOX)

    draft = services.changes.start(order.id)
    draft = services.cart.remove_line(draft.id, _line(draft, SKU_GIFT_BOX), version=draft.version)
    result = services.changes.apply(draft.id, draft.version)

    assert [line.sku for line in result.order.lines] == [SKU_CABERNET]
    assert _stock(fake_factory, SKU_GIFT_BOX) == gift_boxes + 2
    assert result.order.total < order.total
    assert result.order.payments[-1].amount == result.order.total
    assert gateway.voided == [order.payments[0].reference]
    assert f"{SKU_GIFT_BOX} removed (was 2)" in result.changes


def test_a_new_address_in_the_same_state_needs_no_gateway(
    services: Services, ann: CustomerDetail, gateway: TestGateway
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    calls = len(services.payments.history(order.id))
    new_address = Address(name="Ann Smith", address1="9 Oak Ave", city="Fresno", state="CA", zip="93650")

    draft = services.changes.start(order.id)
    draft = services.cart.set_ship_to(draft.id, address=new_address, version=draft.version)
    result = services.changes.apply(draft.id, draft.version)

    assert result.order.ship_to is not None and result.order.ship_to.address1 == "9 Oak Ave"
    assert result.order.total == order.total
    assert len(services.payments.history(order.id)) == calls
    assert result.order.payments == order.payments
    assert any(change.startswith("ship-to: ") and "9 Oak Ave" in change for change in result.changes)


def test_a_declined_card_leaves_the_order_and_the_stock_as_they_were(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    services = _services(fake_factory, ChangeDeclines(clock), clock, "alice")
    ann = _customer(services)
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    stock = _stock(fake_factory, SKU_CABERNET)
    draft = services.changes.start(order.id)
    draft = services.cart.set_quantity(draft.id, _line(draft, SKU_CABERNET), 4, version=draft.version)

    with pytest.raises(PaymentDeclined) as declined:
        services.changes.apply(draft.id, draft.version)

    assert str(declined.value) == (
        f"Visa ending 1111 refused the new total {draft.total}: Insufficient funds; "
        f"order {order.number} is unchanged"
    )
    after = _order_of(services, order)
    assert (after.lines, after.total, after.payments) == (order.lines, order.total, order.payments)
    assert _stock(fake_factory, SKU_CABERNET) == stock
    assert services.cart.get(draft.id).lines[0].quantity == 4  # the change waits to be tried again


def test_lines_already_on_the_order_keep_their_price_and_new_lines_take_todays(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    _set_product(fake_factory, SKU_CABERNET, list_price=Decimal("50.00"))

    draft = services.changes.start(order.id)
    assert draft.total == order.total  # nothing changed yet: the same money
    draft = services.cart.add_line(draft.id, SKU_CHARDONNAY, 1, version=draft.version)
    prices = {line.sku: line.unit_price for line in draft.lines}

    assert prices == {SKU_CABERNET: Decimal("35.00"), SKU_CHARDONNAY: Decimal("22.50")}


def test_a_released_order_cannot_be_changed(services: Services, ann: CustomerDetail) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    services.fulfilment.release(order.id)

    with pytest.raises(
        InvalidState, match=rf"^order {order.number} is released; it can no longer be changed$"
    ):
        services.changes.start(order.id)
    assert _order_of(services, order).lines == order.lines


def test_an_order_being_changed_is_not_released_until_the_change_is_applied_or_discarded(
    services: Services, ann: CustomerDetail
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    other = _place(services, ann.id, (SKU_CHARDONNAY, 1))
    draft = services.changes.start(order.id)
    draft = services.cart.set_quantity(draft.id, _line(draft, SKU_CABERNET), 2, version=draft.version)

    refusal = (
        rf"^order {order.number} is being changed \(draft {draft.id}\); "
        "apply or discard the change before releasing it$"
    )
    with pytest.raises(InvalidState, match=refusal):
        services.fulfilment.release(order.id)
    run = services.fulfilment.release_all_placed()
    assert run.released == [other.number]
    assert len(run.left) == 1 and f"order {order.number} is being changed (draft {draft.id})" in run.left[0]
    assert _order_of(services, order).status == "placed"

    services.changes.apply(draft.id, draft.version)  # the change the customer asked for goes through
    assert services.fulfilment.release(order.id).status == "released"

    third = _place(services, ann.id, (SKU_CABERNET, 1))
    change = services.changes.start(third.id)
    services.cart.discard(change.id, change.version)
    assert services.fulfilment.release(third.id).status == "released"


def test_a_held_order_may_change_its_address(services: Services, ann: CustomerDetail) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    services.holds.place(order.id, "address_check", "street missing")

    draft = services.changes.start(order.id)
    draft = services.cart.set_shipping_method(draft.id, "2DAY", version=draft.version)
    result = services.changes.apply(draft.id, draft.version)

    assert result.order.shipping_method == "2DAY" and result.order.is_held
    assert "shipping: GROUND -> 2DAY" in result.changes


def test_a_change_draft_is_never_placed_as_a_second_order(services: Services, ann: CustomerDetail) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    draft = services.changes.start(order.id)

    with pytest.raises(InvalidState, match="confirm the change instead"):
        services.checkout.place(draft.id, confirm_duplicate=True)
    with pytest.raises(InvalidState, match="the payment of a placed order cannot be changed here"):
        services.cart.set_payment(draft.id, "cash")
    assert services.changes.start(order.id).id == draft.id  # one change under way per order


def test_a_change_with_nothing_changed_is_refused(services: Services, ann: CustomerDetail) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    draft = services.changes.start(order.id)

    with pytest.raises(ValidationError, match=f"nothing has changed on order {order.number}"):
        services.changes.apply(draft.id, draft.version)


def test_more_than_is_in_stock_is_refused_and_nothing_moves(
    services: Services, ann: CustomerDetail, fake_factory: FakeUnitOfWorkFactory
) -> None:
    order = _place(services, ann.id, (SKU_GIFT_BOX, 2))
    left = _stock(fake_factory, SKU_GIFT_BOX)
    draft = services.changes.start(order.id)
    assert draft.warnings == ()  # the order's own two boxes are not "short"
    draft = services.cart.set_quantity(
        draft.id, _line(draft, SKU_GIFT_BOX), 2 + left + 1, version=draft.version
    )

    with pytest.raises(OutOfStock, match=f"{SKU_GIFT_BOX}: only {left} on hand, {left + 1} more ordered"):
        services.changes.apply(draft.id, draft.version)
    assert _stock(fake_factory, SKU_GIFT_BOX) == left


def test_a_price_cut_over_the_limit_needs_a_supervisor(
    services: Services,
    ann: CustomerDetail,
    fake_factory: FakeUnitOfWorkFactory,
    gateway: TestGateway,
    clock: FixedClock,
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    draft = services.changes.start(order.id)
    with pytest.raises(PermissionDenied):
        services.cart.override_price(
            draft.id, _line(draft, SKU_CABERNET), Decimal("1.00"), "friend", version=draft.version
        )
    sam = _services(fake_factory, gateway, clock, "sam")
    draft = sam.cart.override_price(draft.id, _line(draft, SKU_CABERNET), Decimal("1.00"), "friend")

    with pytest.raises(ValidationError, match="supervisor"):
        services.changes.apply(draft.id, draft.version)
    result = sam.changes.apply(draft.id, draft.version)
    assert f"{SKU_CABERNET} price: 35.00 -> 1.00" in result.changes


def test_a_change_killed_before_the_gateway_answered_is_voided_by_reconciliation(
    services: Services, ann: CustomerDetail, gateway: TestGateway, fake_factory: FakeUnitOfWorkFactory
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    stock = _stock(fake_factory, SKU_CABERNET)
    draft = services.changes.start(order.id)
    draft = services.cart.set_quantity(draft.id, _line(draft, SKU_CABERNET), 5, version=draft.version)
    plan = services.changes._prepare(draft.id, draft.version)  # step 1 only: then the process "dies"
    assert plan.call is not None
    assert _stock(fake_factory, SKU_CABERNET) == stock - 4
    with fake_factory(write=True) as uow:  # its owner is gone
        call = uow.gateway_calls.get(plan.call.id or 0)
        dead = f"{socket.gethostname()}:999999999"
        uow.gateway_calls.settle(replace(call, owner=dead), CallStatus.PENDING, call.owner)
        uow.commit()

    report = services.payments.reconcile()

    assert report.voided == 1
    assert _stock(fake_factory, SKU_CABERNET) == stock
    after = _order_of(services, order)
    assert (after.lines, after.payments) == (order.lines, order.payments)
