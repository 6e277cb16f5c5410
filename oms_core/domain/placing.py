"""The rules of placing an order, the one copy that checkout, the cart, batches and imports call.

Whether an order can be placed (:func:`placing_problems`), which payment a customer gets when
nobody chose one (:func:`default_payment`), which payments a customer type may use
(:func:`payment_not_allowed`, :func:`check_payment_allowed`), and the payment recorded on a placed
order (:func:`payment_for`). Standard library only.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from decimal import Decimal

from oms_core.domain.customers import CardOnFile, CustomerStatus, CustomerType
from oms_core.domain.errors import ValidationError
from oms_core.domain.orders import Order
from oms_core.domain.payments import CardToken, Payment, PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.domain.pricing import override_needs_supervisor
from oms_core.domain.products import Product
from oms_core.domain.shipping import ShippingMethod


def placing_problems(
    order: Order,
    status: CustomerStatus,
    customer_type: CustomerType | None,
    products: Mapping[int, Product],
    method: ShippingMethod | None,
    *,
    has_card: bool,
    card_ids: Container[int | None] | None = None,
    include_stock: bool = False,
    price_cut_limit: Decimal | None = None,
) -> list[tuple[str, str]]:
    """Everything that stops ``order`` being placed for a customer, as (field, message) pairs.

    Args:
        order: the order with its lines, ship-to, shipping method code and payment choice.
        status: the customer's status; only active customers order.
        customer_type: the customer's type (``None``: any payment is allowed).
        products: the lines' products by id; a missing or inactive one is no longer sold.
        method: the order's shipping method (``None`` when the code is unknown).
        has_card: the customer has a card on file (says why no payment was found).
        card_ids: the ids of the customer's cards on file, to refuse a card that was removed;
            ``None`` when the caller took the card from the customer's record itself.
        include_stock: also name lines short of stock as seen now (placing leaves it out: the
            guarded stock update is the authority there).
        price_cut_limit: the office's price-cut limit in percent, when the operator placing the
            order may not cut deeper (``None``: a supervisor places it). See :func:`price_cut_problems`.

    Returns:
        The problems in form order (customer, lines, shipping, ship-to, payment); empty when the
        order can be placed.
    """
    problems: list[tuple[str, str]] = []
    if not status.may_order:
        problems.append(("customer", f"customer is {status.label}"))
    if not order.lines:
        problems.append(("lines", "the order has no items"))
    for line in order.lines:
        product = products.get(line.product_id)
        if product is None or not product.active:
            problems.append(("lines", f"{line.sku} is no longer sold"))
        elif include_stock and not product.allow_backorder and product.short_by(line.quantity):
            on_hand = max(product.stock_on_hand, 0)
            problems.append(("lines", f"{line.sku}: only {on_hand} on hand, {line.quantity} ordered"))
    if price_cut_limit is not None:
        problems.extend(price_cut_problems(order, price_cut_limit))
    if method is None:
        code = order.shipping_method
        problems.append(
            ("shipping_method", f"unknown shipping method {code!r}" if code else "choose a shipping method")
        )
    elif not method.active:
        problems.append(("shipping_method", f"{method.name} is no longer offered"))
    if (method is None or not method.is_pickup) and (order.ship_to is None or order.ship_to.is_blank()):
        problems.append(("ship_to", "no ship-to address"))
    problem = _payment_problem(order.payment_choice, customer_type, has_card, card_ids)
    if problem:
        problems.append(("payment", problem))
    return problems


def price_cut_problems(order: Order, limit_percent: Decimal) -> list[tuple[str, str]]:
    """Lines whose agreed price cuts deeper than ``limit_percent`` below the price of the customer
    the order is placed for.

    The limit is checked here, at placing, against the final customer's price (``unit_price`` after
    the draft was re-priced), and not only when the price was typed: a 9% cut typed for a club
    member becomes a 27% cut when a retail customer is attached instead, or when the member's type
    is changed before the order is placed.
    """
    problems = []
    for line in order.lines:
        override = line.price_override
        if override is not None and override_needs_supervisor(line.unit_price, override, limit_percent):
            cut = (line.unit_price - override) / line.unit_price * 100
            problems.append(
                (
                    "lines",
                    f"{line.sku}: {override} is {_percent(cut)}% under this customer's price "
                    f"{line.unit_price}, over the {_percent(limit_percent)}% limit: a supervisor places it",
                )
            )
    return problems


def _percent(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _payment_problem(
    choice: PaymentChoice | None,
    customer_type: CustomerType | None,
    has_card: bool,
    card_ids: Container[int | None] | None,
) -> str:
    if choice is None:
        return "choose a payment method" if has_card else "no card on file: choose a payment method"
    refused = payment_not_allowed(customer_type, choice.method)
    if refused:
        return refused
    if choice.method.uses_gateway and choice.card is None:
        return "enter the card"
    if choice.method is PaymentMethod.CARD_ON_FILE and (
        choice.card_id is None or (card_ids is not None and choice.card_id not in card_ids)
    ):
        return "that card is no longer on file"
    return ""


def payment_not_allowed(customer_type: CustomerType | None, method: PaymentMethod) -> str:
    """Why customers of ``customer_type`` may not pay with ``method``; empty when they may.

    Store credit is the customer's own money (a refund, an exchange): every type may spend it.
    """
    if customer_type is None or method is PaymentMethod.STORE_CREDIT or customer_type.allows(method):
        return ""
    return f"{customer_type.name} customers cannot pay by {method.label.lower()}"


def check_payment_allowed(customer_type: CustomerType | None, method: PaymentMethod) -> None:
    """Refuse a payment method the customer's type may not use.

    Raises:
        ValidationError: field ``payment``.
    """
    refused = payment_not_allowed(customer_type, method)
    if refused:
        raise ValidationError(refused, field="payment")


def card_choice(card: CardOnFile) -> PaymentChoice:
    """Paying with a card on file: its token and display data, never a number."""
    return PaymentChoice(
        PaymentMethod.CARD_ON_FILE,
        card_id=card.id,
        card=CardToken(card.token, card.brand, card.last4, card.exp_month, card.exp_year),
    )


def default_payment(
    first_card: CardOnFile | None, customer_type: CustomerType | None
) -> PaymentChoice | None:
    """The payment a customer gets when nobody chose one.

    Their first card on file, where their type may pay by card on file; else on account, where
    their type allows it; else none (someone has to choose).
    """
    if first_card is not None and not payment_not_allowed(customer_type, PaymentMethod.CARD_ON_FILE):
        return card_choice(first_card)
    if customer_type is not None and customer_type.allows(PaymentMethod.ON_ACCOUNT):
        return PaymentChoice(PaymentMethod.ON_ACCOUNT)
    return None


def payment_for(choice: PaymentChoice, amount: Decimal, reference: str = "") -> Payment:
    """The payment recorded on a placed order.

    Args:
        choice: how the order is paid.
        amount: what it pays (the order's total, or its share of a shared payment).
        reference: the gateway's authorisation reference; without one the payment is recorded
            (check, cash, on account) rather than authorised.
    """
    if reference:
        card = choice.card
        return Payment(
            choice.method,
            amount,
            PaymentStatus.AUTHORIZED,
            reference,
            card.token if card else "",
            card.brand if card else "",
            card.last4 if card else "",
            card.exp_month if card else None,
            card.exp_year if card else None,
        )
    check_number = choice.check_number if choice.method is PaymentMethod.CHECK else ""
    return Payment(choice.method, amount, PaymentStatus.RECORDED, check_number=check_number)


def declined(card: CardToken, reason: str) -> str:
    """The operator's line for a declined card: ``Visa ending 0002 declined: do not honor``."""
    return f"{card.brand} ending {card.last4} declined: {reason}"
