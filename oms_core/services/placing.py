"""Placing an order inside a unit of work: the steps shared by checkout and batch jobs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Customer
from oms_core.domain.errors import OutOfStock, PaymentDeclined, PaymentUnavailable, ValidationError
from oms_core.domain.orders import Order, OrderStatus
from oms_core.domain.payments import Payment
from oms_core.domain.placing import declined, payment_for, placing_problems
from oms_core.domain.products import Product
from oms_core.ports import PaymentGateway, UnitOfWork
from oms_core.services.drafts import PricingContext


def readiness_problems(
    order: Order,
    customer: Customer | None,
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
        has_card=bool(customer.cards),
        card_ids={card.id for card in customer.cards},
        include_stock=include_stock,
        price_cut_limit=price_cut_limit,
    )


def take_stock(uow: UnitOfWork, order: Order, products: dict[int, Product]) -> None:
    """Take every line's units with guarded updates.

    Raises:
        OutOfStock: naming the SKU and what is on hand; the caller rolls back.
    """
    for line in order.lines:
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
