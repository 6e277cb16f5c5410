"""Orders, their lines and their lifecycle: draft -> placed -> released -> (part shipped) -> shipped ->
delivered, or cancelled before anything shipped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.holds import Hold
from oms_core.domain.money import CENT, ZERO, money
from oms_core.domain.payments import Payment, PaymentChoice

MIN_LINE_QUANTITY = 1
MAX_LINE_QUANTITY = 100_000
GIFT_MESSAGE_MAX = 500
NOTES_MAX = 2000


class OrderStatus(enum.StrEnum):
    """Where an order is in its life."""

    DRAFT = "draft"
    PLACED = "placed"
    RELEASED = "released"  # handed to the warehouse to pick and pack
    PART_SHIPPED = "part_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """How screens and documents name it: ``part shipped``."""
        return self.value.replace("_", " ")

    @property
    def can_cancel(self) -> bool:
        """A placed order may be cancelled until it ships; a draft is discarded instead."""
        return self is not OrderStatus.DRAFT and OrderStatus.CANCELLED in _NEXT_STATES[self]

    @property
    def can_change(self) -> bool:
        """Lines, ship-to and shipping may change until the order goes to the warehouse."""
        return self is OrderStatus.PLACED

    @property
    def can_release(self) -> bool:
        """Only a placed order goes to the warehouse."""
        return self is OrderStatus.PLACED

    @property
    def can_ship(self) -> bool:
        """Something may still ship (a placed order may ship without a release first)."""
        return self in (OrderStatus.PLACED, OrderStatus.RELEASED, OrderStatus.PART_SHIPPED)

    @property
    def can_deliver(self) -> bool:
        """Delivered follows a full shipment."""
        return OrderStatus.DELIVERED in _NEXT_STATES[self]


class OrderSource(enum.StrEnum):
    """How the order reached the office."""

    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"
    BULK = "bulk"
    CLUB = "club"
    IMPORT = "import"


class DraftStage(enum.StrEnum):
    """Where the operator last had a draft open, so resuming it opens there again."""

    CART = "cart"
    CHECKOUT = "checkout"


_NEXT_STATES = {
    OrderStatus.DRAFT: {OrderStatus.PLACED, OrderStatus.CANCELLED},
    OrderStatus.PLACED: {
        OrderStatus.RELEASED,
        OrderStatus.PART_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    },
    OrderStatus.RELEASED: {OrderStatus.PART_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.PART_SHIPPED: {OrderStatus.PART_SHIPPED, OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: set(),
    OrderStatus.CANCELLED: set(),
}


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Refuse a status change the lifecycle does not allow.

    Raises:
        InvalidState: naming both states.
    """
    if new not in _NEXT_STATES[current]:
        raise InvalidState(f"an order that is {current.label} cannot become {new.label}")


def check_quantity(quantity: int, field_name: str = "quantity") -> int:
    """A line quantity is a whole number from 1 to ``MAX_LINE_QUANTITY``.

    Raises:
        ValidationError: naming ``field_name``.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError("quantity must be a whole number", field=field_name)
    if quantity < MIN_LINE_QUANTITY:
        raise ValidationError(f"quantity must be at least {MIN_LINE_QUANTITY}", field=field_name)
    if quantity > MAX_LINE_QUANTITY:
        raise ValidationError(f"quantity must be at most {MAX_LINE_QUANTITY:,}", field=field_name)
    return quantity


def parse_quantity(text: str, field_name: str = "quantity") -> int:
    """Parse a typed quantity (``3``, `` 3 ``, ``3.0``) and check it.

    Raises:
        ValidationError: naming ``field_name``.
    """
    cleaned = text.strip().replace(",", "")
    try:
        value = float(cleaned) if "." in cleaned else int(cleaned)
    except ValueError:
        raise ValidationError(f"{text.strip()!r} is not a quantity", field=field_name) from None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError("quantity must be a whole number", field=field_name)
        value = int(value)
    return check_quantity(value, field_name)


@dataclass(slots=True)
class OrderLine:
    """One SKU on an order. Name, price and tax are copies, so later edits never rewrite it."""

    id: int | None
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    taxable: bool = True
    weight_lb: Decimal = Decimal("0")
    price_override: Decimal | None = None
    override_reason: str = ""
    line_tax: Decimal = ZERO

    @property
    def effective_price(self) -> Decimal:
        """The override when there is one, else the customer's price."""
        return self.price_override if self.price_override is not None else self.unit_price

    @property
    def line_total(self) -> Decimal:
        """Quantity times the effective price, before tax."""
        # Inlined money(): batch jobs ask for line totals hundreds of thousands of times.
        return (self.effective_price * self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Quote:
    """The money on an order: what the operator reads back to the customer."""

    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    units: int
    weight_lb: Decimal


@dataclass(slots=True)
class Order:
    """An order; while it is a draft it is the operator's cart, saved on every edit."""

    id: int | None
    status: OrderStatus = OrderStatus.DRAFT
    source: OrderSource = OrderSource.PHONE
    number: int | None = None
    customer_id: int | None = None
    operator: str = ""
    lines: list[OrderLine] = field(default_factory=list)
    bill_to: Address | None = None
    ship_to: Address | None = None
    ship_to_address_id: int | None = None
    shipping_method: str = ""
    shipping_charge: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    payment_choice: PaymentChoice | None = None
    payments: list[Payment] = field(default_factory=list)
    gift_message: str = ""
    notes: str = ""
    # Mail the customer an order confirmation when the order is placed (the checkout's tick box;
    # placing sends it only to a customer with an email address).
    send_confirmation: bool = True
    stage: DraftStage = DraftStage.CART
    batch_key: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    placed_at: datetime | None = None
    hold: Hold | None = None
    changes_order_id: int | None = None
    """On a draft: the placed order this draft changes (``domain/changes.py``), else ``None``."""
    version: int = 1

    @property
    def is_draft(self) -> bool:
        """A draft is still the operator's cart."""
        return self.status is OrderStatus.DRAFT

    def require_draft(self) -> None:
        """Refuse edits to an order that has been placed.

        Raises:
            InvalidState: when the order is no longer a draft.
        """
        if not self.is_draft:
            raise InvalidState(f"order {self.number} is {self.status.value}; it can no longer be edited")

    @property
    def is_change(self) -> bool:
        """A draft holding a change to a placed order (not a new order)."""
        return self.changes_order_id is not None

    def refuse_on_change(self, what: str) -> None:
        """Refuse an edit that a change to a placed order may not make (customer, payment...).

        Raises:
            InvalidState: naming ``what``.
        """
        if self.is_change:
            raise InvalidState(f"{what} of a placed order cannot be changed here")

    def line(self, line_id: int) -> OrderLine:
        """The line with ``line_id``.

        Raises:
            ValidationError: when the line is not on this order.
        """
        for line in self.lines:
            if line.id == line_id:
                return line
        raise ValidationError("that line is no longer on the order", field="line")

    def line_for_product(self, product_id: int) -> OrderLine | None:
        """The line already holding ``product_id``, so adding a SKU twice merges quantities."""
        return next((line for line in self.lines if line.product_id == product_id), None)

    @property
    def subtotal(self) -> Decimal:
        """Sum of the line totals."""
        return money(sum((line.line_total for line in self.lines), ZERO))

    @property
    def tax(self) -> Decimal:
        """Line taxes plus the tax on shipping."""
        return money(sum((line.line_tax for line in self.lines), ZERO) + self.shipping_tax)

    @property
    def total(self) -> Decimal:
        """What the customer pays."""
        return money(self.subtotal + self.shipping_charge + self.tax)

    def totals(self) -> tuple[Decimal, Decimal, Decimal]:
        """Subtotal, tax and total in one pass over the lines (batch jobs and storage use this)."""
        subtotal = tax = ZERO
        for line in self.lines:
            subtotal += line.line_total
            tax += line.line_tax
        subtotal = money(subtotal)
        tax = money(tax + self.shipping_tax)
        return subtotal, tax, money(subtotal + self.shipping_charge + tax)

    @property
    def units(self) -> int:
        """Total number of units on the order."""
        return sum(line.quantity for line in self.lines)

    @property
    def weight_lb(self) -> Decimal:
        """Total shipping weight in pounds."""
        return sum((line.weight_lb * line.quantity for line in self.lines), Decimal("0"))

    def quote(self) -> Quote:
        """The totals as they stand."""
        subtotal, tax, total = self.totals()
        return Quote(subtotal, self.shipping_charge, tax, total, self.units, self.weight_lb)

    def tax_region(self) -> str:
        """The region that sets the tax rate: the ship-to state, else the bill-to state."""
        if self.ship_to is not None and self.ship_to.state:
            return self.ship_to.state
        if self.bill_to is not None:
            return self.bill_to.state
        return ""

    def same_items_as(self, other: Order) -> bool:
        """True when both orders hold the same SKUs in the same quantities."""
        return _items(self) == _items(other)


def follow_up_draft(
    past: Order,
    operator: str,
    now: datetime,
    lines: list[OrderLine],
    payment_choice: PaymentChoice | None = None,
    notes: str = "",
) -> Order:
    """A new phone draft for ``past``'s customer, to the same bill-to, ship-to and shipping method:
    what a reorder and an exchange start from (their lines and payment are their own).
    """
    return Order(
        id=None,
        source=OrderSource.PHONE,
        operator=operator,
        customer_id=past.customer_id,
        created_at=now,
        updated_at=now,
        bill_to=past.bill_to,
        ship_to=past.ship_to,
        ship_to_address_id=past.ship_to_address_id,
        shipping_method=past.shipping_method,
        lines=lines,
        payment_choice=payment_choice,
        notes=notes,
    )


def _items(order: Order) -> dict[str, int]:
    items: dict[str, int] = {}
    for line in order.lines:
        items[line.sku] = items.get(line.sku, 0) + line.quantity
    return items
