"""Synthetic order history: placed orders priced, taxed and shipped by the domain's own rules.

Each order is built as a domain :class:`~oms_core.domain.orders.Order`, re-priced with
:func:`~oms_core.domain.repricing.reprice` (customer type prices, per-line tax, shipping and its tax),
charged through the test gateway and marked placed with the same steps checkout uses, so its totals
are exactly what an operator placing it would have got.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms_core.demo.reference import WHOLESALE
from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Customer, CustomerStatus, CustomerType
from oms_core.domain.orders import Order, OrderLine, OrderSource, OrderStatus
from oms_core.domain.payments import PaymentChoice, PaymentMethod
from oms_core.domain.placing import card_choice
from oms_core.domain.products import Product
from oms_core.domain.repricing import reprice
from oms_core.domain.shipping import ShippingMethod
from oms_core.domain.tax import TaxTable
from oms_core.ports import PaymentGateway
from oms_core.services.placing import charge, mark_placed

HISTORY_DAYS = 120
GIFT_MESSAGES = (
    "Happy birthday! Enjoy this one with friends.",
    "Congratulations on the new house!",
    "Thank you for everything this year.",
    "Cheers to 25 years!",
    "Merry Christmas from all of us.",
    "Welcome to the team!",
    "With love, Mom and Dad",
    "Get well soon.",
)
_SOURCES = (OrderSource.PHONE,) * 7 + (OrderSource.EMAIL,) * 2 + (OrderSource.FAX,)
_LINE_COUNTS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)
_RETAIL_QUANTITIES = (1, 1, 1, 2, 2, 3, 6, 12)
_WHOLESALE_QUANTITIES = (6, 6, 12, 12, 12, 24, 36)


@dataclass(frozen=True, slots=True)
class OrderBook:
    """What seeded orders are made from.

    Attributes:
        customers: candidate customers (active ones with an address are used).
        products: products to sell, by id; their ``stock_on_hand`` is taken as orders are made.
        types: customer types by code.
        taxes: the tax table.
        methods: shipping methods by code.
        operators: user names that placed the orders.
    """

    customers: Sequence[Customer]
    products: dict[int, Product]
    types: dict[str, CustomerType]
    taxes: TaxTable
    methods: dict[str, ShippingMethod]
    operators: Sequence[str]


@dataclass(slots=True)
class SeededOrder:
    """A placed order and its audit trail (the events' ``order_id`` is set once the order has an id)."""

    order: Order
    events: list[AuditEvent]


def make_orders(
    rng: random.Random,
    book: OrderBook,
    count: int,
    next_number: Callable[[], int],
    gateway: PaymentGateway,
    now: datetime,
) -> list[SeededOrder]:
    """``count`` placed orders over the last :data:`HISTORY_DAYS` days, numbered in time order.

    Older orders have moved on to released or shipped, as they would have. Stock is taken from
    ``book.products`` as each order is made; a line is shortened or dropped when stock runs out
    (unless the product may be backordered).

    Args:
        rng: the source of every random choice.
        book: customers, products and reference data.
        count: how many orders to make (fewer when there is nobody or nothing to sell).
        next_number: allocates the next order number from the counter; called once per order made,
            in placing order, so numbers rise with time and leave no gaps.
        gateway: authorises card payments (the test gateway for a demo).
        now: the time the seeding runs.
    """
    buyers = [
        c for c in book.customers if c.status is CustomerStatus.ACTIVE and c.addresses and _can_pay(c, book)
    ]
    sellable = [p for p in book.products.values() if p.active]
    if not buyers or not sellable or count <= 0:
        return []
    # Recent days are busier: the square skews the draw towards now.
    times = sorted(now - timedelta(seconds=HISTORY_DAYS * 86_400 * rng.random() ** 2) for _ in range(count))
    made: list[SeededOrder] = []
    for placed_at in times:
        # A try can find every drawn product sold out; a few more tries find something in stock.
        for _attempt in range(5):
            seeded = _one(rng, book, buyers, sellable, placed_at, now, gateway, next_number)
            if seeded is not None:
                made.append(seeded)
                break
    return made


def _can_pay(customer: Customer, book: OrderBook) -> bool:
    """Club members pay only with the card on file, and a declining card would never be placed."""
    customer_type = book.types.get(customer.type_code)
    if customer_type is None:
        return False
    if customer_type.payment_methods == frozenset({PaymentMethod.CARD_ON_FILE}):
        return any(card.token.startswith("tok_test_") for card in customer.cards)
    return True


def _one(
    rng: random.Random,
    book: OrderBook,
    buyers: list[Customer],
    sellable: list[Product],
    placed_at: datetime,
    now: datetime,
    gateway: PaymentGateway,
    next_number: Callable[[], int],
) -> SeededOrder | None:
    customer = rng.choice(buyers)
    customer_type = book.types[customer.type_code]
    wholesale = customer.type_code == WHOLESALE
    quantities = _WHOLESALE_QUANTITIES if wholesale else _RETAIL_QUANTITIES
    lines: list[OrderLine] = []
    for product in rng.sample(sellable, min(rng.choice(_LINE_COUNTS), len(sellable))):
        quantity = rng.choice(quantities)
        if not product.allow_backorder:
            quantity = min(quantity, max(product.stock_on_hand, 0))
        if quantity <= 0:
            continue
        product.stock_on_hand -= quantity
        lines.append(
            OrderLine(None, product.id or 0, product.sku, product.name, quantity, product.list_price)
        )
    if not lines:
        return None
    ship = customer.default_shipping()
    bill = customer.default_billing()
    assert ship is not None and bill is not None  # buyers all have an address
    order = Order(
        id=None,
        source=rng.choice(_SOURCES),
        customer_id=customer.id,
        lines=lines,
        bill_to=bill.address,
        ship_to=ship.address,
        ship_to_address_id=ship.id,
        gift_message=rng.choice(GIFT_MESSAGES) if rng.random() < 0.1 else "",
        created_at=placed_at - timedelta(minutes=rng.randint(2, 25)),
    )
    order.shipping_method = _shipping_method(rng, customer, order, book)
    order.payment_choice = _payment(rng, customer, customer_type)
    reprice(
        order,
        book.products,
        customer_type,
        customer.tax_exempt,
        book.taxes,
        book.methods[order.shipping_method],
    )
    operator = rng.choice(book.operators)
    payment = charge(gateway, order, f"seed-{customer.number}-{placed_at.isoformat()}")
    events = [mark_placed(order, next_number(), payment, operator, placed_at)]
    for status, after in _progress(rng, now - placed_at):
        order.status = status
        order.updated_at = placed_at + after
        events.append(AuditEvent(None, operator, status.value, "", order.updated_at, customer.id))
    return SeededOrder(order, events)


def _shipping_method(rng: random.Random, customer: Customer, order: Order, book: OrderBook) -> str:
    if customer.preferred_pickup and "WILLCALL" in book.methods:
        return "WILLCALL"
    if order.weight_lb > 60 and "FREIGHT" in book.methods:
        return "FREIGHT"
    if rng.random() < 0.2 and "2DAY" in book.methods:
        return "2DAY"
    return "GROUND" if "GROUND" in book.methods else next(iter(book.methods))


def _payment(rng: random.Random, customer: Customer, customer_type: CustomerType) -> PaymentChoice:
    """The card on file when there is a good one (always, for clubs); else what the type allows."""
    good_cards = [card for card in customer.cards if card.token.startswith("tok_test_")]
    allowed = customer_type.payment_methods
    if good_cards and PaymentMethod.CARD_ON_FILE in allowed and (rng.random() < 0.85 or len(allowed) == 1):
        return card_choice(good_cards[0])
    if PaymentMethod.ON_ACCOUNT in allowed and rng.random() < 0.6:
        return PaymentChoice(PaymentMethod.ON_ACCOUNT)
    if PaymentMethod.CHECK in allowed and rng.random() < 0.6:
        return PaymentChoice(PaymentMethod.CHECK, check_number=str(rng.randint(1001, 9999)))
    return PaymentChoice(PaymentMethod.CASH)


def _progress(rng: random.Random, age: timedelta) -> list[tuple[OrderStatus, timedelta]]:
    """The status changes an order of this age has been through since it was placed."""
    days = age.total_seconds() / 86_400
    steps: list[tuple[OrderStatus, timedelta]] = []
    if days > 1 and rng.random() < min(1.0, days / 3):
        released = timedelta(hours=rng.uniform(2, min(days, 2) * 24 - 1))
        steps.append((OrderStatus.RELEASED, released))
        if days > 4 and rng.random() < min(1.0, days / 8):
            steps.append((OrderStatus.SHIPPED, released + timedelta(days=rng.uniform(1, 3))))
    return steps
