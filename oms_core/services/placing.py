"""Placing an order inside a unit of work: the steps shared by checkout and batch jobs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import (
    OmsError,
    OutOfStock,
    PaymentDeclined,
    PaymentUnavailable,
    StaleEdit,
    ValidationError,
)
from oms_core.domain.gateway_calls import CallStatus, GatewayCall
from oms_core.domain.mail import MailKind
from oms_core.domain.operators import Role
from oms_core.domain.orders import Order, OrderStatus
from oms_core.domain.payments import Payment, PaymentMethod
from oms_core.domain.placing import declined, payment_for, placing_problems
from oms_core.domain.products import Product
from oms_core.domain.returns import CreditEntry
from oms_core.ports import GatewayAnswer, PaymentGateway, UnitOfWork
from oms_core.read_models import OrderView
from oms_core.services.context import ServiceContext, current_operator
from oms_core.services.drafts import PricingContext, QuotedCustomer, quote
from oms_core.services.gateway_steps import audit_call, settle
from oms_core.services.mail import queue_order_mail
from oms_core.services.retry import retry_on_conflict, write_retrying
from oms_core.services.views import order_view

log = logging.getLogger("oms.services")


def readiness_problems(
    order: Order,
    customer: QuotedCustomer | None,
    card_ids: frozenset[int],
    products: dict[int, Product],
    pricing: PricingContext,
    include_stock: bool = True,
    price_cut_limit: Decimal | None = None,
) -> list[tuple[str, str]]:
    """Everything that stops the draft being placed, as (field, message): the domain's
    :func:`~oms_core.domain.placing.placing_problems` for the attached customer.

    ``include_stock`` adds short stock as seen now; placing leaves it out because the guarded
    update is the authority there (and raises ``OutOfStock``). ``price_cut_limit`` (``None`` for a
    supervisor) adds the lines whose agreed price cuts deeper than the limit below this customer's
    price.
    """
    if customer is None:
        return [("customer", "attach a customer to the order first")]
    return placing_problems(
        order,
        customer.status,
        pricing.customer_type(customer),
        products,
        pricing.shipping(order.shipping_method),
        has_card=bool(card_ids),
        card_ids=card_ids,
        include_stock=include_stock,
        price_cut_limit=price_cut_limit,
    )


def price_cut_limit(ctx: ServiceContext, uow: UnitOfWork) -> Decimal | None:
    """The price-cut limit the operator placing (or changing) an order is held to (``None``: a
    supervisor, held to none).
    """
    if current_operator(uow, ctx.operator_username).at_least(Role.SUPERVISOR):
        return None
    return ctx.settings.override_limit_percent


def store_credit_problem(uow: UnitOfWork, order: Order) -> tuple[str, str] | None:
    """(``payment``, why) when the draft is to be paid by store credit its customer does not have."""
    choice = order.payment_choice
    if choice is None or choice.method is not PaymentMethod.STORE_CREDIT or order.customer_id is None:
        return None
    balance, total = uow.store_credit.balance(order.customer_id), order.total
    if balance >= total:
        return None
    return "payment", f"store credit {balance} does not cover the total {total}: choose another payment"


def spend_store_credit(uow: UnitOfWork, ctx: ServiceContext, order: Order) -> None:
    """Take the draft's total from its customer's store credit with one guarded update (the
    customer level of the lock order: after the draft, before the products), so two checkouts
    spending one balance at once cannot overdraw it. :func:`place_draft` records the movement
    once the order has its number.

    Raises:
        ValidationError: the balance does not cover the total (the caller rolls back).
    """
    if order.customer_id is None or not uow.store_credit.take(
        order.customer_id, order.total, ctx.clock.now()
    ):
        problem = store_credit_problem(uow, order) or ("payment", "no store credit to spend")
        raise ValidationError(problem[1], field="payment")


def move_store_credit(
    uow: UnitOfWork, ctx: ServiceContext, order: Order, payment: Payment, total: Decimal
) -> None:
    """A placed order paid by store credit changes its total: spend the difference (a guarded
    update; the customer level of the lock order, before the products) or give it back.

    Raises:
        ValidationError: the balance does not cover a higher total (the caller rolls back).
    """
    difference = total - payment.amount
    if payment.method is not PaymentMethod.STORE_CREDIT or not difference or order.customer_id is None:
        return
    now = ctx.clock.now()
    entry = CreditEntry(
        order.customer_id, -difference, f"order {order.number} changed", now, ctx.operator_username, order.id
    )
    if difference < 0:
        uow.store_credit.give(entry)
        return
    if not uow.store_credit.take(order.customer_id, difference, now):
        balance = uow.store_credit.balance(order.customer_id)
        raise ValidationError(
            f"store credit {balance} does not cover the {difference} more this change costs", field="payment"
        )
    uow.store_credit.record(entry)


def take_stock(uow: UnitOfWork, order: Order, products: dict[int, Product]) -> None:
    """Take every line's units with guarded updates, in product id order (the canonical lock order,
    see :mod:`oms_core.storage.unit_of_work`): two carts listing the same products in different
    orders would otherwise each hold one product's row and wait for the other's.

    Raises:
        OutOfStock: naming the SKU and what is on hand; the caller rolls back.
    """
    for line in sorted(order.lines, key=lambda line: line.product_id):
        product = products[line.product_id]
        if not uow.products.take_stock(line.product_id, line.quantity, product.allow_backorder):
            on_hand = uow.products.get(line.product_id).stock_on_hand
            raise OutOfStock(f"{line.sku}: only {max(on_hand, 0)} on hand, {line.quantity} ordered")


def charge(gateway: PaymentGateway, order: Order, idempotency_key: str) -> Payment:
    """Authorise a card payment, or record a check, cash or on-account payment.

    Raises:
        PaymentDeclined: with the gateway's reason.
        PaymentUnavailable: the gateway did not answer.
    """
    choice = order.payment_choice
    if choice is None:
        raise ValidationError("choose a payment method", field="payment")
    total = order.total
    if not choice.method.uses_gateway:
        return payment_for(choice, total)
    card = choice.card
    if card is None:
        raise ValidationError("enter the card", field="payment")
    answer = gateway.authorize(card.token, total, idempotency_key)
    if answer.unavailable:
        raise PaymentUnavailable(answer.reason)
    if not answer.approved:
        raise PaymentDeclined(declined(card, answer.reason))
    return payment_for(choice, total, answer.reference)


def mark_placed(order: Order, number: int, payment: Payment, operator: str, now: datetime) -> AuditEvent:
    """Set the placed state on the order; return the audit event to record."""
    order.status = OrderStatus.PLACED
    order.number = number
    order.placed_at = now
    order.updated_at = now
    order.operator = operator
    order.payments = [*order.payments, payment]
    return AuditEvent(
        order.id,
        operator,
        "placed",
        f"order {number}, total {payment.amount}, {payment.method.label.lower()}",
        now,
        order.customer_id,
    )


def place_draft(
    uow: UnitOfWork, ctx: ServiceContext, order: Order, customer: QuotedCustomer | None, payment: Payment
) -> OrderView:
    """Number the draft and mark it placed with ``payment`` (in ``uow``; the caller commits)."""
    number = uow.orders.next_number()
    uow.audit.add(mark_placed(order, number, payment, ctx.operator_username, ctx.clock.now()))
    uow.orders.save(order)
    if payment.method is PaymentMethod.STORE_CREDIT:  # spent by spend_store_credit, named now
        what = f"spent on order {number}"
        entry = CreditEntry(
            order.customer_id or 0, -payment.amount, what, ctx.clock.now(), ctx.operator_username, order.id
        )
        uow.store_credit.record(entry)
    if order.send_confirmation:  # the checkout's "send confirmation" box
        queue_order_mail(ctx, uow, MailKind.ORDER_CONFIRMATION, order)  # sent after the commit
    card = f" ending {payment.last4}" if payment.last4 else ""
    log.info(
        "order %s placed by %s: draft %s, %d lines, total %s, %s%s",
        number,
        ctx.audit_name,
        order.id,
        len(order.lines),
        order.total,
        payment.method.value,
        card,
    )
    return order_view(order, customer.summary if customer else None, uow.audit.for_order(order.id or 0))


class DraftMoved(OmsError):
    """The draft is no longer what its authorisation was for (the authorisation is voided)."""


def complete_checkout(uow: UnitOfWork, ctx: ServiceContext, call: GatewayCall) -> OrderView:
    """Step 3 of checkout: mark the draft placed with the approved authorisation ``call``.

    Raises:
        DraftMoved: the draft was discarded, edited or re-priced since the authorisation.
    """
    order = uow.orders.get(call.order_id or 0)
    if not order.is_draft or order.version != call.draft_version:
        raise DraftMoved("the order changed while its card was being authorised; the hold was released")
    customer, _ = quote(uow, order)
    choice = order.payment_choice
    if choice is None or order.total != call.amount:
        raise DraftMoved(
            "prices changed while the card was being authorised; check the order and place it again"
        )
    return place_draft(uow, ctx, order, customer, payment_for(choice, call.amount, call.reference))


def finish_checkout(ctx: ServiceContext, call: GatewayCall, answer: GatewayAnswer) -> OrderView:
    """Step 3: place the order on approval; otherwise give the stock back and say why.

    Raises:
        PaymentDeclined, PaymentUnavailable: the stock is back and the draft as it was.
        DraftMoved: the draft changed meanwhile (the authorisation was voided).
    """
    if answer.approved:
        try:
            return _place_approved(ctx, call, answer)
        except StaleEdit:
            raise  # another process settled this call: it owns the outcome now
        except BaseException:
            abandon(ctx, call)
            raise
    _settle_refused(ctx, call, answer)
    if answer.unavailable:
        raise PaymentUnavailable(answer.reason)
    raise PaymentDeclined(f"{call.brand} ending {call.last4} declined: {answer.reason}")


@retry_on_conflict
def _place_approved(ctx: ServiceContext, call: GatewayCall, answer: GatewayAnswer) -> OrderView:
    """Step 3 on approval, one transaction (run again whole if the database gives it up)."""
    with ctx.write() as uow:
        settle(uow, ctx, call, answer, release_stock=False)
        view = complete_checkout(uow, ctx, call)
        uow.commit()
    return view


@retry_on_conflict
def _settle_refused(ctx: ServiceContext, call: GatewayCall, answer: GatewayAnswer) -> None:
    """Step 3 on a decline or no answer: the stock goes back, the call is settled."""
    with ctx.write() as uow:
        customer_id = uow.orders.get(call.order_id or 0).customer_id
        settle(uow, ctx, call, answer, release_stock=True, customer_id=customer_id)
        uow.commit()


def abandon(ctx: ServiceContext, call: GatewayCall) -> None:
    """Void an approved authorisation that no order came of, and give its stock back.

    A void that gets no answer leaves the call *unknown*: reconciliation repeats the request with
    its key and voids what it finds.
    """
    abandon_all(ctx, [call])


def abandon_all(ctx: ServiceContext, calls: Sequence[GatewayCall], in_flight: int = 1) -> None:
    """:func:`abandon` for many calls: the voids sent with no transaction open (at most
    ``in_flight`` at once), then every outcome recorded, and the stock given back, in one transaction.
    """

    def void(call: GatewayCall) -> GatewayAnswer | None:
        return ctx.gateway.void(call.reference, f"{call.key}:void") if call.reference else None

    if in_flight > 1 and len(calls) > 1:
        with ThreadPoolExecutor(
            max_workers=min(in_flight, len(calls)), thread_name_prefix="oms-void"
        ) as pool:
            answers = list(pool.map(void, calls))
    else:
        answers = [void(call) for call in calls]

    pairs = list(zip(calls, answers, strict=True))
    try:
        write_retrying(ctx, lambda uow: _record_voids(uow, ctx, pairs))
    except StaleEdit:  # another process settled one of them meanwhile: record the others one by one
        for pair in pairs:
            with contextlib.suppress(StaleEdit):
                write_retrying(ctx, lambda uow, pair=pair: _record_voids(uow, ctx, [pair]))  # type: ignore[misc]


def _record_voids(
    uow: UnitOfWork, ctx: ServiceContext, pairs: Sequence[tuple[GatewayCall, GatewayAnswer | None]]
) -> None:
    """Settle abandoned calls as voided (or unknown when the void got no answer) and give their
    stock back, in one transaction: the products first, by id, then the calls (the lock order).

    Raises:
        StaleEdit: another process settled one of the calls first (nothing is written).
    """
    settled: list[tuple[GatewayCall, CallStatus, str]] = []
    give: dict[int, int] = {}
    for call, answer in pairs:
        stored = uow.gateway_calls.get(call.id or 0)
        if stored.status not in (CallStatus.PENDING, CallStatus.APPROVED):
            continue  # settled already (a repeated abandon): nothing to give back
        expected, owner = stored.status, stored.owner
        for product_id, quantity in stored.holds:
            give[product_id] = give.get(product_id, 0) + quantity
        stored.holds = ()
        stored.reference = stored.reference or call.reference
        if answer is not None and answer.approved:
            stored.status = CallStatus.VOIDED
        else:
            stored.status = CallStatus.UNKNOWN
            stored.reason = answer.reason if answer is not None else "no authorisation reference"
        settled.append((stored, expected, owner))
    for product_id, quantity in sorted(give.items()):
        uow.products.restock(product_id, quantity)
    for stored, expected, owner in settled:
        if not uow.gateway_calls.settle(stored, expected, owner):
            raise StaleEdit("a payment was settled by another process")
        audit_call(uow, ctx, stored, None)
    uow.commit()
