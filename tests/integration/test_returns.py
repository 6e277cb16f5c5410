"""Returns, refunds, store credit and exchanges through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.config import OfficeConfig, OrdersSection
from oms_core.domain.errors import InvalidState, PermissionDenied, ValidationError
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.operators import Operator, Role
from oms_core.domain.returns import Disposition, RefundMethod, RefundRequest, ReturnItem, ReturnReason
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer
from oms_core.read_models import OrderView
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, seed_reference
from tests.unit.batch_helpers import add_customer

RESTOCK, WRITE_OFF = Disposition.RESTOCK, Disposition.WRITE_OFF


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway()


@pytest.fixture
def application(database_url: str, gateway: TestGateway) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=gateway)
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.reference.save_operator(Operator("sam", Role.SUPERVISOR))
        uow.reference.save_operator(Operator("alice", Role.OPERATOR))
        uow.commit()
    yield app
    app.close()


@pytest.fixture
def supervisor(database_url: str, gateway: TestGateway, application: Application) -> Iterator[Application]:
    app = build(Config(database_url, operator="sam"), gateway=gateway)
    yield app
    app.close()


def _shipped(
    app: Application, *items: tuple[str, int], ship: tuple[tuple[str, int | None], ...] = ()
) -> OrderView:
    services = app.services
    customer = add_customer(services, "Ann")
    card = services.customers.get(customer).cards[0]
    cart = services.cart.start(customer)
    cart = services.cart.add_lines(cart.id, list(items))
    services.cart.set_payment(cart.id, "card_on_file", card_id=card.id)
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    services.fulfilment.ship(order.id, ShipRequest("UPS", "Ground", "1Z1", ship))
    return services.orders.get(order.id)


def _stock(app: Application, sku: str) -> int:
    with app.uow_factory() as uow:
        return uow.products.get_by_sku(sku).stock_on_hand  # type: ignore[union-attr]


def test_a_return_restocks_or_writes_off_and_never_takes_back_more_than_shipped(application):
    order = _shipped(application, (SKU_CABERNET, 3), (SKU_CHARDONNAY, 2), ship=((SKU_CABERNET, 2),))
    assert order.status == "part_shipped" and order.can_return
    returns = application.services.returns
    cab, chard = _stock(application, SKU_CABERNET), _stock(application, SKU_CHARDONNAY)
    with pytest.raises(ValidationError, match=f"only 0 of {SKU_CHARDONNAY} can come back"):
        returns.record(order.id, [ReturnItem(SKU_CHARDONNAY, 1)], "damaged")
    with pytest.raises(ValidationError, match=f"only 2 of {SKU_CABERNET}"):
        returns.record(order.id, [ReturnItem(SKU_CABERNET, 3)], "damaged")
    first = returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1, RESTOCK)], ReturnReason.CHANGED_MIND, "too <b>[red]sweet"
    )
    assert first.lines == ((SKU_CABERNET, 1, "restock"),) and first.note == "too <b>[red]sweet"
    assert _stock(application, SKU_CABERNET) == cab + 1
    second = returns.record(order.id, [ReturnItem(SKU_CABERNET, 1, WRITE_OFF)], "dam")
    assert second.reason == "damaged" and second.refunds == ()
    assert _stock(application, SKU_CABERNET) == cab + 1  # written off: not back on the shelf
    assert _stock(application, SKU_CHARDONNAY) == chard
    with pytest.raises(InvalidState, match="has been returned already"):
        returns.record(order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged")
    view = application.services.orders.get(order.id)
    assert not view.can_return
    assert [r.rma for r in view.returns] == [first.rma, second.rma]
    assert [e.action for e in view.audit].count("return") == 2
    assert [r.rma for r in returns.for_customer(order.customer.id)] == [second.rma, first.rma]


def test_a_return_of_an_unshipped_order_is_refused_and_a_bad_reason_is_named(application):
    services = application.services
    customer = add_customer(services, "Ann")
    cart = services.cart.add_lines(services.cart.start(customer).id, [(SKU_CABERNET, 1)])
    services.cart.set_payment(cart.id, "card_on_file", card_id=services.customers.get(customer).cards[0].id)
    order = services.checkout.place(cart.id)
    with pytest.raises(InvalidState, match="only shipped goods can be returned"):
        services.returns.record(order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged")
    shipped = _shipped(application, (SKU_CABERNET, 1))
    with pytest.raises(ValidationError, match="give a reason: one of damaged"):
        services.returns.record(shipped.id, [ReturnItem(SKU_CABERNET, 1)], "because")


def test_a_partial_card_refund_goes_through_the_gateway_and_is_in_the_history(application, gateway):
    order = _shipped(application, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    line = next(line for line in order.lines if line.sku == SKU_CABERNET)
    item = application.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CARD)
    )
    (refund,) = item.refunds
    assert refund.status == "refunded" and refund.method == "card"
    # The default: the returned unit's price and its share of the line's tax.
    with application.uow_factory() as uow:
        stored = uow.orders.get(order.id).lines
    cab = next(li for li in stored if li.sku == SKU_CABERNET)
    assert refund.amount == ((cab.line_total + cab.line_tax) / 2).quantize(Decimal("0.01"))
    assert line.quantity == 2
    assert [amount for _, amount in gateway.refunded] == [refund.amount]
    history = application.services.payments.history(order.id)
    assert [(c.action.value, c.status.value) for c in history][-1] == ("refund", "approved")
    actions = [e.action for e in application.services.orders.get(order.id).audit]
    assert actions[-3:] == ["refund", "payment refund", "refunded"]


def test_a_refund_is_editable_downward_only_and_shipping_goes_back_once(application):
    order = _shipped(application, (SKU_CABERNET, 2))
    returns = application.services.returns
    with pytest.raises(ValidationError, match="at most"):
        returns.record(
            order.id,
            [ReturnItem(SKU_CABERNET, 1)],
            "damaged",
            refund=RefundRequest(RefundMethod.CHECK, Decimal("999"), check_number="1042"),
        )
    assert returns.for_order(order.id) == []  # nothing written half-way
    with pytest.raises(ValidationError, match="check's number"):
        returns.record(
            order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CHECK)
        )
    item = returns.record(
        order.id,
        [ReturnItem(SKU_CABERNET, 1)],
        "damaged",
        refund=RefundRequest(RefundMethod.CHECK, Decimal("5.00"), include_shipping=True, check_number="1042"),
    )
    assert item.refunds[0].detail == "check #1042 5.00: refunded"
    later = returns.record(order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged")
    with pytest.raises(ValidationError, match="shipping of order .* was refunded already"):
        returns.refund(later.id, RefundRequest(RefundMethod.STORE_CREDIT, include_shipping=True))
    again = returns.refund(item.id, RefundRequest(RefundMethod.STORE_CREDIT, Decimal("1.00")))
    assert [r.amount for r in again.refunds] == [Decimal("5.00"), Decimal("1.00")]


def test_store_credit_goes_on_the_account_with_its_entry(application):
    order = _shipped(application, (SKU_CABERNET, 2))
    item = application.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "wrong", refund=RefundRequest(RefundMethod.STORE_CREDIT)
    )
    credit = application.services.returns.store_credit(order.customer.id)
    assert credit.balance == item.refunds[0].amount > 0
    assert credit.entries[0][1] == f"refund for {item.rma} of order {order.number}"


def test_a_refund_above_the_limit_needs_a_supervisor_and_writes_nothing(application, supervisor):
    order = _shipped(application, (SKU_CABERNET, 10))  # well above the 100.00 default limit
    big = RefundRequest(RefundMethod.STORE_CREDIT)
    with pytest.raises(PermissionDenied, match="a refund above 100.00 needs a supervisor"):
        application.services.returns.record(order.id, [ReturnItem(SKU_CABERNET, 10)], "damaged", refund=big)
    assert application.services.returns.for_order(order.id) == []
    small = RefundRequest(RefundMethod.STORE_CREDIT, Decimal("10.00"))
    assert application.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=small
    )
    item = supervisor.services.returns.record(order.id, [ReturnItem(SKU_CABERNET, 9)], "damaged", refund=big)
    assert item.refunds[0].status == "refunded"


def test_a_declined_card_refund_is_failed_and_can_be_refunded_another_way(application, gateway):
    order = _shipped(application, (SKU_CABERNET, 1))
    real_refund = gateway.refund
    refused = GatewayAnswer.decline("nothing was captured to refund", "charge_not_captured")
    gateway.refund = lambda *args: refused  # type: ignore[method-assign]
    item = application.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CARD)
    )
    gateway.refund = real_refund  # type: ignore[method-assign]
    (failed,) = item.refunds
    assert failed.status == "failed" and "nothing was captured" in failed.detail
    item = application.services.returns.refund(item.id, RefundRequest(RefundMethod.CHECK, check_number="77"))
    assert [r.status for r in item.refunds] == ["failed", "refunded"]
    assert item.refunded == failed.amount


def test_an_exchange_credits_the_return_and_opens_a_draft_paid_by_store_credit(application):
    order = _shipped(application, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))
    item, cart = application.services.returns.exchange(
        order.id, [ReturnItem(SKU_CABERNET, 1), ReturnItem(SKU_CHARDONNAY, 1, WRITE_OFF)], "wrong"
    )
    assert item.exchange_order_id == cart.id
    assert item.refunds[0].detail.startswith("store credit") and "shipping" not in item.refunds[0].detail
    assert cart.payment_method == "store_credit" and cart.customer.id == order.customer.id
    assert sorted((line.sku, line.quantity) for line in cart.lines) == [
        (SKU_CABERNET, 1),
        (SKU_CHARDONNAY, 1),
    ]
    assert application.services.returns.store_credit(order.customer.id).balance == item.refunds[0].amount


def test_an_exchange_draft_is_placed_with_the_store_credit_and_a_cancel_gives_it_back(application):
    order = _shipped(application, (SKU_CABERNET, 2))
    services = application.services
    item, cart = services.returns.exchange(order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged")
    credit = item.refunds[0].amount
    assert services.checkout.problems(cart.id) == []  # today's price, same tax: the credit covers it
    placed = services.checkout.place(cart.id, confirm_duplicate=True)
    assert [(p.method, p.status, p.amount) for p in placed.payments] == [
        ("store_credit", "recorded", placed.total)
    ]
    customer_id = order.customer.id
    spent = services.returns.store_credit(customer_id)
    assert spent.balance == credit - placed.total
    assert spent.entries[0][:2] == (-placed.total, f"spent on order {placed.number}")
    with application.uow_factory(write=True) as uow:
        uow.reference.save_operator(Operator("alice", Role.SUPERVISOR))
        uow.commit()
    services.orders.cancel(placed.id, "customer changed their mind")
    assert services.returns.store_credit(customer_id).balance == credit


def test_store_credit_that_does_not_cover_the_total_is_a_checkout_problem(application):
    order = _shipped(application, (SKU_CABERNET, 2))
    services = application.services
    services.returns.record(
        order.id,
        [ReturnItem(SKU_CABERNET, 1)],
        "damaged",
        refund=RefundRequest(RefundMethod.STORE_CREDIT, Decimal("5.00")),
    )
    cart = services.cart.add_lines(services.cart.start(order.customer.id).id, [(SKU_CABERNET, 1)])
    services.cart.set_payment(cart.id, "store_credit")
    (problem,) = services.checkout.problems(cart.id)
    assert problem[0] == "payment" and "store credit 5.00 does not cover the total" in problem[1]
    with pytest.raises(ValidationError, match="store credit 5.00 does not cover"):
        services.checkout.place(cart.id, confirm_duplicate=True)
    assert services.returns.store_credit(order.customer.id).balance == Decimal("5.00")


def test_two_checkouts_spending_one_balance_at_once_never_overdraw_it(
    application, supervisor, database_url, gateway
):
    order = _shipped(application, (SKU_CABERNET, 3))
    services = application.services
    item = supervisor.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 3)], "damaged", refund=RefundRequest(RefundMethod.STORE_CREDIT)
    )
    balance = item.refunds[0].amount
    carts = []
    for _ in range(2):  # each costs two thirds of the balance: only one can be paid
        cart = services.cart.add_lines(services.cart.start(order.customer.id).id, [(SKU_CABERNET, 2)])
        carts.append(services.cart.set_payment(cart.id, "store_credit").id)
    apps = [build(Config(database_url, operator="alice"), gateway=gateway) for _ in carts]
    start = threading.Barrier(len(carts))
    outcomes: list[str] = []

    def place(app: Application, cart_id: int) -> None:
        start.wait()
        try:
            app.services.checkout.place(cart_id, confirm_duplicate=True)
            outcomes.append("placed")
        except ValidationError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=place, args=pair) for pair in zip(apps, carts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for app in apps:
        app.close()
    assert outcomes.count("placed") == 1, outcomes
    assert any("does not cover" in outcome for outcome in outcomes), outcomes
    left = services.returns.store_credit(order.customer.id)
    assert left.balance >= 0 and left.balance < balance
    assert sum(amount for amount, *_ in left.entries) == left.balance


def test_the_refund_limit_comes_from_the_office_configuration(database_url, gateway, application):
    order = _shipped(application, (SKU_CABERNET, 2))
    strict = OfficeConfig(orders=OrdersSection(refund_limit=Decimal("1.00")))
    app = build(Config(database_url, operator="alice", office=strict), gateway=gateway)
    try:
        with pytest.raises(PermissionDenied, match="a refund above 1.00 needs a supervisor"):
            app.services.returns.record(
                order.id,
                [ReturnItem(SKU_CABERNET, 1)],
                "damaged",
                refund=RefundRequest(RefundMethod.STORE_CREDIT),
            )
    finally:
        app.close()


def test_changing_an_order_paid_by_store_credit_moves_the_credit_by_the_difference(application, supervisor):
    order = _shipped(application, (SKU_CABERNET, 3))
    services = application.services
    supervisor.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 3)], "damaged", refund=RefundRequest(RefundMethod.STORE_CREDIT)
    )
    customer_id = order.customer.id
    cart = services.cart.add_lines(services.cart.start(customer_id).id, [(SKU_CABERNET, 2)])
    services.cart.set_payment(cart.id, "store_credit")
    placed = services.checkout.place(cart.id, confirm_duplicate=True)
    before = services.returns.store_credit(customer_id).balance

    draft = services.changes.start(placed.id)
    line = next(li.id for li in draft.lines if li.sku == SKU_CABERNET)
    draft = services.cart.set_quantity(draft.id, line, 1, version=draft.version)
    result = services.changes.apply(draft.id, draft.version)
    assert result.order.total < placed.total
    assert services.returns.store_credit(customer_id).balance == before + (placed.total - result.order.total)

    draft = services.changes.start(placed.id)
    line = next(li.id for li in draft.lines if li.sku == SKU_CABERNET)
    draft = services.cart.set_quantity(draft.id, line, 40, version=draft.version)
    with pytest.raises(ValidationError, match="store credit .* does not cover the .* more this change costs"):
        services.changes.apply(draft.id, draft.version)
    assert services.returns.store_credit(customer_id).balance == before + (placed.total - result.order.total)


def test_a_part_shipped_card_order_refunds_up_to_what_its_shipments_captured(application, gateway):
    order = _shipped(application, (SKU_CABERNET, 2), (SKU_CHARDONNAY, 1), ship=((SKU_CABERNET, 1),))
    assert order.status == "part_shipped" and order.payments[0].status == "authorized"
    item = application.services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CARD)
    )
    (refund,) = item.refunds
    assert refund.status == "refunded", refund.detail
    assert [amount for _, amount in gateway.refunded] == [refund.amount]
