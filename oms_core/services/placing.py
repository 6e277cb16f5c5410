"""Placing an order inside a unit of work: the steps shared by checkout and batch jobs."""

from __future__ import annotations

from datetime import datetime

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Customer, CustomerStatus
from oms_core.domain.errors import OutOfStock, PaymentDeclined, ValidationError
from oms_core.domain.orders import Order, OrderStatus
from oms_core.domain.payments import Payment, PaymentMethod, PaymentStatus
from oms_core.domain.products import Product
from oms_core.ports import PaymentGateway, UnitOfWork
from oms_core.services.drafts import PricingContext


def readiness_problems(
    order: Order,
    customer: Customer | None,
    products: dict[int, Product],
    pricing: PricingContext,
    include_stock: bool = True,
) -> list[tuple[str, str]]:
    """Everything that stops the order being placed, as (field, message).

    ``include_stock`` adds short stock as seen now; placing leaves it out because the guarded
    update is the authority there (and raises ``OutOfStock``).
    """
    problems: list[tuple[str, str]] = []
    if customer is None:
        return [("customer", "attach a customer to the order first")]
    if customer.status is not CustomerStatus.ACTIVE:
        problems.append(
            ("customer", f"customer {customer.number} is {customer.status.value.replace('_', ' ')}")
        )
    if not order.lines:
        problems.append(("lines", "the order has no items"))
    for line in order.lines:
        product = products.get(line.product_id)
        if product is None or not product.active:
            problems.append(("lines", f"{line.sku} is no longer sold; remove it"))
        elif include_stock and not product.allow_backorder and product.short_by(line.quantity):
            problems.append(
                (
                    "lines",
                    f"{line.sku}: only {max(product.stock_on_hand, 0)} on hand, {line.quantity} ordered",
                )
            )
    method = pricing.shipping(order.shipping_method)
    if method is None or not method.active:
        problems.append(("shipping_method", "choose a shipping method"))
    if (method is None or not method.is_pickup) and (order.ship_to is None or order.ship_to.is_blank()):
        problems.append(("ship_to", "choose a ship-to address"))
    choice = order.payment_choice
    customer_type = pricing.customer_type(customer)
    if choice is None:
        problems.append(("payment", "choose a payment method"))
    elif customer_type is not None and not customer_type.allows(choice.method):
        problems.append(
            ("payment", f"{customer_type.name} customers cannot pay by {choice.method.label.lower()}")
        )
    elif choice.method.uses_gateway and choice.card is None:
        problems.append(("payment", "enter the card"))
    elif choice.method is PaymentMethod.CARD_ON_FILE and (
        choice.card_id is None or customer.card(choice.card_id) is None
    ):
        problems.append(("payment", "that card is no longer on file"))
    return problems


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
    if choice.method.uses_gateway:
        card = choice.card
        if card is None:
            raise ValidationError("enter the card", field="payment")
        answer = gateway.authorize(card.token, total, idempotency_key)
        if not answer.approved:
            raise PaymentDeclined(f"{card.brand} ending {card.last4} declined: {answer.reason}")
        return Payment(
            choice.method,
            total,
            PaymentStatus.AUTHORIZED,
            answer.reference,
            card.token,
            card.brand,
            card.last4,
            card.exp_month,
            card.exp_year,
        )
    return Payment(
        choice.method,
        total,
        PaymentStatus.RECORDED,
        check_number=choice.check_number if choice.method is PaymentMethod.CHECK else "",
    )


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
