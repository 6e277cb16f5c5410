"""Read models: frozen snapshots that services hand to the UI and batch jobs.

They hold plain values only, so nothing the UI keeps can lazy-load or go stale behind its back.
Standard library only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from oms_core.domain.customer_search import SearchPosition
from oms_core.domain.customers import Address, CustomerStatus
from oms_core.domain.orders import OrderStatus


class _CustomerStatusWords:
    """What screens ask of a customer's status, answered by the domain's rule."""

    __slots__ = ()
    status: str

    @property
    def may_order(self) -> bool:
        """The customer's status lets them order (on hold and closed customers may not)."""
        return CustomerStatus(self.status).may_order

    @property
    def status_label(self) -> str:
        """The status in words: ``on hold``."""
        return CustomerStatus(self.status).label


@dataclass(frozen=True, slots=True)
class CustomerSummary(_CustomerStatusWords):
    """One row of customer search results."""

    id: int
    number: str
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    city: str
    state: str
    type_code: str
    status: str

    @property
    def name(self) -> str:
        """``First Last``, or the company when there is no personal name."""
        return f"{self.first_name} {self.last_name}".strip() or self.company


@dataclass(frozen=True, slots=True)
class AddressView:
    """An address-book entry."""

    id: int
    label: str
    address: Address
    is_default_billing: bool
    is_default_shipping: bool


@dataclass(frozen=True, slots=True)
class CardView:
    """A card on file as it may be shown: brand, last four, expiry."""

    id: int
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        """``Visa ending 4242, exp 04/28``."""
        return f"{self.brand} ending {self.last4}, exp {self.exp_month:02d}/{self.exp_year % 100:02d}"


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """One row of an order list."""

    id: int
    number: int | None
    status: str
    source: str
    customer_id: int | None
    customer_number: str
    customer_name: str
    total: Decimal
    placed_at: datetime | None
    updated_at: datetime | None
    operator: str
    line_count: int = 0

    @property
    def can_cancel(self) -> bool:
        """The order's status still allows cancelling it (the service checks who may)."""
        return OrderStatus(self.status).can_cancel


@dataclass(frozen=True, slots=True)
class CustomerDetail(_CustomerStatusWords):
    """Everything the Customer screen shows."""

    id: int
    number: str
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    alt_phone: str
    type_code: str
    type_name: str
    is_club: bool
    tax_exempt: bool
    notes: str
    status: str
    preferred_pickup: bool
    version: int
    payment_methods: tuple[str, ...]
    addresses: tuple[AddressView, ...] = ()
    """The address book in id order: all of it, or its first entries when the record was read for
    a screen that shows only those (``address_count`` says how many the book holds)."""
    cards: tuple[CardView, ...] = ()
    recent_orders: tuple[OrderSummary, ...] = ()
    open_drafts: tuple[OrderSummary, ...] = ()
    store_credit: Decimal = Decimal("0.00")
    """What the customer may spend at checkout (refunds and exchanges put it there)."""
    address_count: int = 0
    """How many entries the address book holds (``addresses`` may be only the first of them)."""

    @property
    def name(self) -> str:
        """``First Last``, or the company."""
        return f"{self.first_name} {self.last_name}".strip() or self.company

    def with_address(self, saved: AddressView) -> CustomerDetail:
        """The record with ``saved`` (as ``CustomerService.save_address`` returned it) in its book,
        so a screen shows a save without reading the book again.

        The entry with its id is replaced, else it is a new one, added at the end (ids grow, and
        the book is in id order) and counted; a default it took is no longer any other entry's, as
        the save left them.
        """
        book: list[AddressView] = []
        found = False
        for entry in self.addresses:
            if entry.id == saved.id:
                entry, found = saved, True
            elif (entry.is_default_shipping and saved.is_default_shipping) or (
                entry.is_default_billing and saved.is_default_billing
            ):
                entry = replace(
                    entry,
                    is_default_shipping=entry.is_default_shipping and not saved.is_default_shipping,
                    is_default_billing=entry.is_default_billing and not saved.is_default_billing,
                )
            book.append(entry)
        if not found:
            book.append(saved)
        return replace(self, addresses=tuple(book), address_count=self.address_count + (not found))

    def with_card(self, kept: CardView) -> CustomerDetail:
        """The record with the card ``CustomerService.add_card`` kept, at the end of its cards."""
        return replace(self, cards=(*self.cards, kept))


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """A product as the cart and the pad show it, priced for the customer at hand."""

    id: int
    sku: str
    name: str
    price: Decimal
    list_price: Decimal
    stock_on_hand: int
    allow_backorder: bool
    active: bool
    taxable: bool


@dataclass(frozen=True, slots=True)
class LineView:
    """One line of a cart or an order."""

    id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    price_override: Decimal | None
    override_reason: str
    effective_price: Decimal
    line_total: Decimal
    line_tax: Decimal
    stock_on_hand: int | None = None
    allow_backorder: bool = False

    @property
    def short_by(self) -> int:
        """Units missing to ship the line now (0 when stock covers it or is unknown)."""
        if self.stock_on_hand is None:
            return 0
        return max(0, self.quantity - max(self.stock_on_hand, 0))


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment as it may be shown (masked)."""

    method: str
    label: str
    amount: Decimal
    status: str
    reference: str


@dataclass(frozen=True, slots=True)
class GatewayCallView:
    """One request to the payment gateway, as the order's payment history lists it.

    Attributes:
        at: when it was asked.
        action: authorize, capture, void or refund.
        amount: what it was for.
        outcome: approved, declined, no answer, voided, pending or not sent.
        reason: a decline's reason with the processor's code (``Card declined [do_not_honor]``).
        card: ``Visa ending 1111`` (never more of the number), or ``""``.
        operator: who asked.
    """

    at: datetime | None
    action: str
    amount: Decimal
    outcome: str
    reason: str
    card: str
    operator: str


@dataclass(frozen=True, slots=True)
class AuditView:
    """One audit-trail entry."""

    at: datetime
    operator: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class CartView:
    """A draft as the Cart and Checkout screens show it, with its live quote."""

    id: int
    version: int
    source: str
    customer: CustomerSummary | None
    lines: tuple[LineView, ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    units: int
    bill_to: Address | None
    ship_to: Address | None
    ship_to_address_id: int | None
    shipping_method: str
    payment_method: str | None
    payment_label: str
    card_id: int | None
    gift_message: str
    notes: str
    operator: str
    updated_at: datetime | None
    warnings: tuple[str, ...] = field(default=())
    changes_number: int | None = None
    """A change draft: the number of the placed order it changes (``None`` for a new order)."""
    was_total: Decimal | None = None
    """A change draft: the placed order's total now, beside this draft's new ``total``."""

    @property
    def is_change(self) -> bool:
        """The draft changes a placed order: confirming applies it, nothing new is placed."""
        return self.changes_number is not None

    stage: str = "cart"
    send_confirmation: bool = False
    """Placing will mail the customer a confirmation (ticked, and the customer has an email)."""
    confirmation_unavailable: str = ""
    """Why no confirmation can be sent (no customer, no email address), ``""`` when one can."""


@dataclass(frozen=True, slots=True)
class NoteView:
    """A call note as the screens list it: when, who, what (shown literally), and its order if any."""

    at: datetime
    author: str
    text: str
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class ShipmentView:
    """A shipment as the order and customer screens show it."""

    id: int
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None
    lines: tuple[tuple[str, int], ...]
    capture: str
    recorded_by: str

    @property
    def summary(self) -> str:
        """``UPS Ground 1Z999..., 3 units``."""
        units = sum(quantity for _, quantity in self.lines)
        parts = [self.carrier, self.service, self.tracking_number or "(no tracking number)"]
        return f"{' '.join(p for p in parts if p)}, {units} unit{'s' if units != 1 else ''}"


@dataclass(frozen=True, slots=True)
class RefundView:
    """A refund as the order and customer screens list it.

    Attributes:
        method: ``card``, ``check`` or ``store credit``.
        detail: one line: how, how much, and how it stands (``check #1042 30.00: refunded``).
    """

    id: int
    return_id: int
    order_id: int
    method: str
    amount: Decimal
    status: str
    detail: str
    created_at: datetime | None
    created_by: str

    @property
    def done(self) -> bool:
        """The money went back (not pending at the gateway, not refused)."""
        return self.status == "refunded"

    @property
    def failed(self) -> bool:
        """The gateway refused it: nothing went back (refund it another way)."""
        return self.status == "failed"


@dataclass(frozen=True, slots=True)
class ReturnView:
    """A return (RMA) with its lines and refunds, for the Order screen, the customer's story and
    ``oms returns list``.

    Attributes:
        rma: ``RMA-42``, the number people quote.
        lines: (SKU, quantity, ``restock`` or ``write off``).
        refunds: what was paid back for it, oldest first.
        exchange_order_id: the replacement order (a draft until placed) of an exchange.
    """

    id: int
    rma: str
    order_id: int
    order_number: int | None
    customer_id: int | None
    created_at: datetime
    created_by: str
    reason: str
    note: str
    lines: tuple[tuple[str, int, str], ...]
    refunds: tuple[RefundView, ...] = ()
    exchange_order_id: int | None = None

    @property
    def units(self) -> int:
        """Units that came back."""
        return sum(quantity for _, quantity, _ in self.lines)

    @property
    def refunded(self) -> Decimal:
        """Money refunded (or on its way) for it."""
        return sum((r.amount for r in self.refunds if not r.failed), Decimal("0.00"))

    @property
    def summary(self) -> str:
        """``RMA-42 damaged: 2 x CAB-750 (restock); check #1042 30.00: refunded``."""
        items = ", ".join(f"{quantity} x {sku} ({how})" for sku, quantity, how in self.lines)
        money = "; ".join(refund.detail for refund in self.refunds) or "not refunded"
        return f"{self.rma} {self.reason}: {items}; {money}"


@dataclass(frozen=True, slots=True)
class ReturnChoices:
    """What the return form (or ``oms return``) offers for an order: what may still come back.

    Attributes:
        returnable: (SKU, name, units that may still come back).
        shipping: the order's shipping charge with its tax (``0.00`` once refunded).
        card: the captured card a refund can go back to (``Visa ending 1111``), ``""`` when none.
    """

    order_id: int
    order_number: int | None
    returnable: tuple[tuple[str, str, int], ...]
    shipping: Decimal
    card: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """A placed (or cancelled, shipped...) order with everything on it."""

    id: int
    number: int | None
    status: str
    source: str
    customer: CustomerSummary | None
    operator: str
    placed_at: datetime | None
    bill_to: Address | None
    ship_to: Address | None
    shipping_method: str
    lines: tuple[LineView, ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    payments: tuple[PaymentView, ...]
    gift_message: str
    notes: str
    audit: tuple[AuditView, ...] = ()
    shipments: tuple[ShipmentView, ...] = ()
    payment_history: tuple[GatewayCallView, ...] = ()
    """Every gateway call made for the order, oldest first."""
    hold: str = ""
    """The hold in one line (reason, note, who, when), or ``""`` when the order is not held."""
    can_hold: bool = False
    """The order may be held (placed or released, not held yet)."""
    returns: tuple[ReturnView, ...] = ()
    """Its returns (RMAs), each with its refunds, oldest first."""
    can_return: bool = False
    """Something shipped on the order may still come back."""

    @property
    def is_held(self) -> bool:
        """The order is on hold (the service checks who may release it)."""
        return bool(self.hold)

    @property
    def can_cancel(self) -> bool:
        """The order's status still allows cancelling it (the service checks who may)."""
        return OrderStatus(self.status).can_cancel

    @property
    def can_change(self) -> bool:
        """Lines, ship-to and shipping may still change (placed, not yet released; held is fine)."""
        return OrderStatus(self.status).can_change

    @property
    def can_release(self) -> bool:
        """The order may go to the warehouse (placed and not held)."""
        return OrderStatus(self.status).can_release and not self.is_held

    @property
    def can_ship(self) -> bool:
        """Something on the order is still to ship, and it is not held."""
        return OrderStatus(self.status).can_ship and not self.is_held

    @property
    def can_deliver(self) -> bool:
        """The order has shipped in full and may be marked delivered."""
        return OrderStatus(self.status).can_deliver

    @property
    def is_placed(self) -> bool:
        """Placed or later (not a draft): documents can be printed and mail resent."""
        return self.number is not None


class StoryKind(enum.StrEnum):
    """What a line of a customer's story is. At the same moment, the order comes first."""

    ORDER = "order"
    SHIPMENT = "shipment"
    RETURN = "return"
    NOTE = "note"
    MAIL = "mail"

    @property
    def rank(self) -> int:
        """Its place among events at the same moment (the keyset's middle part)."""
        return _STORY_RANKS[self]


_STORY_RANKS = {kind: rank for rank, kind in enumerate(StoryKind)}


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """One line of a customer's story, newest first: an order placed (with its status now), a
    shipment (carrier, tracking), a return, a call note, an email sent.

    Attributes:
        at: when it happened (placed, shipped, written, queued).
        kind: what it is.
        id: the row's id within its kind (the order's, the shipment's...).
        order_id, order_number: the order it is about, if any (Enter opens it).
        summary: what happened, shown literally (customer and operator text included).
        state: where it stands now: the order's status, delivered, sent or failed.
    """

    at: datetime
    kind: StoryKind
    id: int
    order_id: int | None
    order_number: int | None
    summary: str
    state: str = ""


@dataclass(frozen=True, slots=True)
class StoryPosition:
    """Where a page of a story ended: the next page is what is older than this (keyset, no OFFSET)."""

    at: datetime
    rank: int
    id: int

    @classmethod
    def after(cls, event: StoryEvent) -> StoryPosition:
        """The position just past ``event``."""
        return cls(event.at, event.kind.rank, event.id)


@dataclass(frozen=True, slots=True)
class CustomerPage:
    """One page of customer search results and where the next starts (``None``: no more).

    ``next`` is the last customer's :class:`SearchPosition` (their rank and id): the next page is
    the customers after it, so paging never shows a customer twice or skips one (keyset, no OFFSET).
    """

    customers: tuple[CustomerSummary, ...]
    next: SearchPosition | None


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of a customer's story and where the next one starts (``None``: nothing older)."""

    events: tuple[StoryEvent, ...]
    next: StoryPosition | None


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """A change applied to a placed order: the order as it is now and what changed.

    Attributes:
        order: the changed order.
        changes: each change, old -> new (as in the audit trail).
        warning: a follow-up the office should know of (the card's old hold was not released), or ``""``.
    """

    order: OrderView
    changes: tuple[str, ...]
    warning: str = ""


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Filters for the order list; ``None`` means any."""

    status: str | None = None
    customer_id: int | None = None
    number: int | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    source: str | None = None
    operator: str | None = None
    include_drafts: bool = False
    on_hold: bool = False


@dataclass(frozen=True, slots=True)
class OrderPosition:
    """Where a page of the order list ended (keyset paging: the next page starts after it).

    Attributes:
        placed_at: the last row's placed time (``None`` for a draft).
        id: the last row's id.
    """

    placed_at: datetime | None
    id: int

    @classmethod
    def after(cls, row: OrderSummary) -> OrderPosition:
        """The position just after ``row``."""
        return cls(row.placed_at, row.id)


class _Listed(Protocol):
    """A row of a newest-first list: a batch, a return, or a screen's view of one."""

    @property
    def id(self) -> int | None: ...  # noqa: D102 - the protocol's attributes, named as the rows name them

    @property
    def created_at(self) -> datetime | None: ...  # noqa: D102


@dataclass(frozen=True, slots=True, order=True)
class TimePosition:
    """Where a page of a newest-first list ended: club shipments, bulk orders and returns (by
    created time), my drafts (by last edit). The next page is the rows that come before this
    position (keyset, no OFFSET).

    Positions compare as the lists' order does (time, then id), so a row belongs on a later page
    exactly when its position is less than the page's.

    Attributes:
        at: the last row's time (created, or last edited).
        id: the last row's id.
    """

    at: datetime
    id: int

    @classmethod
    def after(cls, row: _Listed) -> TimePosition:
        """The position just after ``row`` in a list by created time (a stored row: both are set)."""
        if row.created_at is None or row.id is None:
            raise ValueError("a row that is not stored has no place in a list")
        return cls(row.created_at, row.id)

    @classmethod
    def after_edit(cls, row: OrderSummary) -> TimePosition:
        """The position just after ``row`` in a list by last edit (my drafts)."""
        if row.updated_at is None:
            raise ValueError("a draft that was never saved has no place in a list")
        return cls(row.updated_at, row.id)
