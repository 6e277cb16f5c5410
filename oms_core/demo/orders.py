"""Synthetic order history: placed orders priced, taxed and shipped by the domain's own rules.

Each order is built as a domain :class:`~oms_core.domain.orders.Order`, re-priced with
:func:`~oms_core.domain.repricing.reprice` (customer type prices, per-line tax, shipping and its tax),
charged through the test gateway and marked placed with the same steps checkout uses, so its totals
are exactly what an operator placing it would have got.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from oms_core.demo.reference import WHOLESALE
from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Customer, CustomerStatus, CustomerType
from oms_core.domain.holds import Hold, HoldReason
from oms_core.domain.orders import Order, OrderLine, OrderSource, OrderStatus
from oms_core.domain.payments import PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.domain.placing import card_choice
from oms_core.domain.pricing import unit_price
from oms_core.domain.products import Product
from oms_core.domain.repricing import apply_tax_and_shipping
from oms_core.domain.shipping import ShippingMethod
from oms_core.domain.tax import TaxTable
from oms_core.ports import PaymentGateway
from oms_core.services.orders import AFTER_CANCEL
from oms_core.services.placing import charge, mark_placed

HISTORY_DAYS = 365
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
# A delivery from the supplier: whole cases, a few weeks' sales of a typical product.
_RECEIPT_LOTS = (120, 240, 240, 360, 600)
_HOLD_REASONS = tuple(HoldReason)
CANCELLED_SHARE = 0.03
"""Orders cancelled within a few days of placing (the customer changed their mind)."""
HELD_SHARE = 0.004
"""Orders put on hold soon after placing and still waiting (a ship date ahead, a payment review)."""


@dataclass(frozen=True, slots=True)
class OrderBook:
    """What seeded orders are made from.

    Attributes:
        customers: candidate customers (active ones with an address are used).
        products: products to sell, by id; their ``stock_on_hand`` moves as orders are made.
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
    buyers: list[Customer] = field(init=False)
    """The customers orders are made for: worked out once, not again for every segment."""
    sellable: list[Product] = field(init=False)
    """The products orders may hold (active ones)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "buyers", _buyers(self))  # frozen: set once, here
        object.__setattr__(self, "sellable", _sellable(self))


@dataclass(slots=True)
class SeededOrder:
    """A placed order and its audit trail (the events' ``order_id`` is set once the order has an id).

    Attributes:
        order: the order, in its status today.
        events: placed, then each later step (held, released, shipped, delivered, cancelled).
        receipts: stock received just before this order, because it would have taken more than was
            on hand (events with no order: ``stock received``).
    """

    order: Order
    events: list[AuditEvent]
    receipts: list[AuditEvent] = field(default_factory=list)


def make_orders(
    rng: random.Random,
    book: OrderBook,
    count: int,
    next_number: Callable[[], int],
    gateway: PaymentGateway,
    now: datetime,
) -> list[SeededOrder]:
    """``count`` orders as a list: :func:`order_history` for callers that want them all at once."""
    return list(order_history(rng, book, count, next_number, gateway, now))


SEGMENT = 5_000
"""Orders per :class:`Segment`: the unit one process makes (a fixed size, so the data does not
depend on how many processes make it)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of consecutive orders, made with randomness of its own (so any process can make it).

    Attributes:
        seed: seeds the segment's ``random.Random``.
        ages: each order's placing time as seconds before now, oldest first.
    """

    seed: int
    ages: array


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """A year of orders cut into segments, and the seed of the stock taking that follows them."""

    segments: list[Segment]
    stock_seed: int


class StockTaking(NamedTuple):
    """What one order takes from stock, in placing order (a tuple: processes hand over millions).

    Attributes:
        at: when the order was placed.
        operator: who placed it (a supplier delivery it needs is received in their name).
        lines: ``(product id, quantity)`` of each line.
        put_back: the order was cancelled, and its stock went back on the shelf.
    """

    at: datetime
    operator: str
    lines: tuple[tuple[int, int], ...]
    put_back: bool


def plan_history(rng: random.Random, book: OrderBook, count: int) -> HistoryPlan:
    """Placing times for ``count`` orders over the last :data:`HISTORY_DAYS` days, busier towards
    now, cut into segments of :data:`SEGMENT`; no segments when there is nobody to sell to or
    nothing to sell.
    """
    if not book.buyers or not book.sellable or count <= 0:
        return HistoryPlan([], 0)
    # The power skews the draw towards now. Ages are sorted oldest first as plain floats (8 bytes
    # each in an array), so a million orders never sit in memory at once.
    ages = array(
        "d", sorted((HISTORY_DAYS * 86_400 * rng.random() ** 1.3 for _ in range(count)), reverse=True)
    )
    segments = [
        Segment(rng.getrandbits(64), ages[start : start + SEGMENT]) for start in range(0, count, SEGMENT)
    ]
    return HistoryPlan(segments, rng.getrandbits(64))


def order_history(
    rng: random.Random,
    book: OrderBook,
    count: int,
    next_number: Callable[[], int],
    gateway: PaymentGateway,
    now: datetime,
) -> Iterator[SeededOrder]:
    """A year of an office's orders, exactly ``count`` of them, made one at a time in time order.

    Placing times spread over the last :data:`HISTORY_DAYS` days, busier towards now. Each order
    has since moved on as far as its age allows: released, shipped, delivered; a few were cancelled
    (their stock put back, the authorisation voided) and a few are on hold. Stock never goes below
    zero: when an order would take more than is on hand, a supplier delivery is received first
    (``receipts``), as an office restocks, so every order is placed whole. The seeder makes the
    same orders, segment by segment in other processes, and takes stock in its own.

    Args:
        rng: the source of every random choice.
        book: customers, products and reference data.
        count: how many orders (none when there is nobody to sell to or nothing to sell).
        next_number: allocates the next order number; called once per order, in placing order, so
            numbers rise with time and leave no gaps.
        gateway: authorises card payments (the test gateway for a demo).
        now: the time the seeding runs.
    """
    plan = plan_history(rng, book, count)
    stock_rng = random.Random(plan.stock_seed)
    for segment in plan.segments:
        for seeded in make_segment(book, segment, next_number, gateway, now):
            seeded.receipts = take_stock(stock_rng, book.products, stock_taking(seeded.order))
            yield seeded


def make_segment(
    book: OrderBook,
    segment: Segment,
    next_number: Callable[[], int],
    gateway: PaymentGateway,
    now: datetime,
) -> Iterator[SeededOrder]:
    """The segment's orders in time order, priced and moved on; stock is not taken here (see
    :func:`take_stock`, which the caller applies in placing order), so ``receipts`` stay empty.
    """
    rng = random.Random(segment.seed)
    buyers = book.buyers
    sellable = book.sellable
    prices: dict[tuple[int, str], Decimal] = {}
    for age in segment.ages:
        placed_at = now - timedelta(seconds=age)
        yield _one(rng, book, buyers, sellable, prices, placed_at, now, gateway, next_number)


def stock_taking(order: Order) -> StockTaking:
    """What ``order`` takes from stock (and whether it gave it back)."""
    assert order.placed_at is not None  # seeded orders are placed
    return StockTaking(
        order.placed_at,
        order.operator,
        tuple((line.product_id, line.quantity) for line in order.lines),
        order.status is OrderStatus.CANCELLED,
    )


def take_stock(rng: random.Random, products: dict[int, Product], taking: StockTaking) -> list[AuditEvent]:
    """Take an order's units from ``products``' stock, receiving a supplier delivery first wherever
    it would take more than is on hand; put them back if it was cancelled.

    Called once per order in placing order, so stock never goes below zero at any point.

    Returns:
        The deliveries received (``stock received`` events with no order).
    """
    receipts = []
    for product_id, quantity in taking.lines:
        product = products[product_id]
        if quantity > product.stock_on_hand:
            receipts.append(_receive(rng, product, quantity, taking.at, taking.operator))
        product.stock_on_hand -= quantity
    if taking.put_back:
        for product_id, quantity in taking.lines:
            products[product_id].stock_on_hand += quantity
    return receipts


def _buyers(book: OrderBook) -> list[Customer]:
    return [
        c for c in book.customers if c.status is CustomerStatus.ACTIVE and c.addresses and _can_pay(c, book)
    ]


def _sellable(book: OrderBook) -> list[Product]:
    return [p for p in book.products.values() if p.active]


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
    prices: dict[tuple[int, str], Decimal],
    placed_at: datetime,
    now: datetime,
    gateway: PaymentGateway,
    next_number: Callable[[], int],
) -> SeededOrder:
    """One order placed at ``placed_at``, priced as checkout prices it, moved on to its state today.

    The lines are filled from the catalogue as :func:`~oms_core.domain.repricing.reprice` fills
    them, the unit price by the domain's :func:`~oms_core.domain.pricing.unit_price` (kept in
    ``prices`` per product and customer type: it depends on nothing else, and a million orders
    draw from a few thousand pairs); then line taxes, shipping and its tax by the domain's own
    :func:`~oms_core.domain.repricing.apply_tax_and_shipping`.
    """
    draw = rng.random
    customer = buyers[int(draw() * len(buyers))]
    customer_type = book.types[customer.type_code]
    quantities = _WHOLESALE_QUANTITIES if customer.type_code == WHOLESALE else _RETAIL_QUANTITIES
    operator = book.operators[int(draw() * len(book.operators))]
    # Distinct products, drawn by index (``Random.sample`` costs several times more per order).
    wanted = _LINE_COUNTS[int(draw() * len(_LINE_COUNTS))]
    picks = dict.fromkeys(int(draw() * len(sellable)) for _ in range(min(wanted, len(sellable))))
    lines: list[OrderLine] = []
    for index in picks:
        product = sellable[index]
        quantity = quantities[int(draw() * len(quantities))]
        key = (product.id or 0, customer_type.code)
        price = prices.get(key)
        if price is None:
            price = prices[key] = unit_price(product, customer_type)
        lines.append(
            OrderLine(
                None, key[0], product.sku, product.name, quantity, price, product.taxable, product.weight_lb
            )
        )
    ship = customer.default_shipping()
    bill = customer.default_billing()
    assert ship is not None and bill is not None  # buyers all have an address
    order = Order(
        id=None,
        source=_SOURCES[int(draw() * len(_SOURCES))],
        customer_id=customer.id,
        lines=lines,
        bill_to=bill.address,
        ship_to=ship.address,
        ship_to_address_id=ship.id,
        gift_message=GIFT_MESSAGES[int(draw() * len(GIFT_MESSAGES))] if draw() < 0.1 else "",
        created_at=placed_at - timedelta(minutes=rng.randint(2, 25)),
    )
    order.shipping_method = _shipping_method(rng, customer, order, book)
    order.payment_choice = _payment(rng, customer, customer_type)
    apply_tax_and_shipping(order, customer.tax_exempt, book.taxes, book.methods[order.shipping_method])
    payment = charge(gateway, order, f"seed-{customer.number}-{placed_at.isoformat()}")
    events = [mark_placed(order, next_number(), payment, operator, placed_at)]
    events.extend(_since_placed(rng, order, now))
    return SeededOrder(order, events)


def _receive(rng: random.Random, product: Product, quantity: int, at: datetime, operator: str) -> AuditEvent:
    """A supplier delivery of ``product`` that covers ``quantity`` (whole lots), received before ``at``."""
    short = quantity - max(product.stock_on_hand, 0)
    lot = _RECEIPT_LOTS[int(rng.random() * len(_RECEIPT_LOTS))]
    received = lot * -(-short // lot)  # enough whole lots to cover the shortfall
    product.stock_on_hand += received
    return AuditEvent(
        None, operator, "stock received", f"{product.sku}: {received} received", at - timedelta(hours=2), None
    )


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


def _since_placed(rng: random.Random, order: Order, now: datetime) -> list[AuditEvent]:
    """Move ``order`` on as far as its age allows; return the audit events of each step.

    A few orders are cancelled soon after placing (authorisation voided; :func:`take_stock` puts
    their stock back)
    and a few are held and still waiting; the rest are released within the day, shipped a day or
    three later and delivered a few days after that, each step only if its time has come.
    """
    placed_at = order.placed_at
    assert placed_at is not None
    operator = order.operator
    roll = rng.random()
    if roll < CANCELLED_SHARE:
        at = placed_at + timedelta(hours=rng.uniform(0.5, 72))
        if at >= now:
            return []
        order.payments = [replace(p, status=AFTER_CANCEL.get(p.status, p.status)) for p in order.payments]
        return [_step(order, OrderStatus.CANCELLED, at, operator, "customer changed their mind")]
    if roll < CANCELLED_SHARE + HELD_SHARE:
        at = placed_at + timedelta(minutes=rng.uniform(5, 120))
        if at >= now:
            return []
        reason = _HOLD_REASONS[int(rng.random() * len(_HOLD_REASONS))]
        order.hold = Hold(reason, "", operator, at)
        order.updated_at = at
        return [AuditEvent(None, operator, "held", reason.value, at, order.customer_id)]
    steps = (
        (OrderStatus.RELEASED, timedelta(hours=rng.uniform(2, 22)), "to the warehouse"),
        (OrderStatus.SHIPPED, timedelta(days=rng.uniform(1, 3)), order.shipping_method),
        (OrderStatus.DELIVERED, timedelta(days=rng.uniform(1, 5)), ""),
    )
    events = []
    at = placed_at
    for status, after, detail in steps:
        at += after
        if at >= now:
            break
        if status is OrderStatus.SHIPPED:  # shipping the whole order captures its authorisation
            order.payments = [replace(p, status=_ON_SHIPPING.get(p.status, p.status)) for p in order.payments]
        events.append(_step(order, status, at, operator, detail))
    return events


def _step(order: Order, status: OrderStatus, at: datetime, operator: str, detail: str) -> AuditEvent:
    order.status = status
    order.updated_at = at
    return AuditEvent(None, operator, status.value, detail, at, order.customer_id)


_ON_SHIPPING = {PaymentStatus.AUTHORIZED: PaymentStatus.CAPTURED}
