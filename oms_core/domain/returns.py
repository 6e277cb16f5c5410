"""Returns (RMAs), their refunds and store credit: what may come back, and what it is worth.

A return names some units of a shipped order's lines, with a reason code, and says for each line
whether the goods go back into stock or are written off. Never more of a line comes back than
shipped less what earlier returns took. A refund pays for a return: to the original card through
the gateway, by check, or as store credit on the customer's account (which a later order spends
at checkout). Its amount defaults to the returned lines' price and tax (and the order's shipping
when the office chooses), and may be lowered, never raised. Standard library only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.fulfilment import Shipment
from oms_core.domain.money import ZERO, money
from oms_core.domain.orders import Order, OrderStatus

NOTE_MAX = 500
CHECK_NUMBER_MAX = 30
_CHECK_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]*$")

RETURNABLE = (OrderStatus.PART_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
"""Statuses whose shipped goods may come back."""


class ReturnReason(enum.StrEnum):
    """Why the goods came back (the office's reason codes)."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    LATE = "late"
    OTHER = "other"

    @property
    def label(self) -> str:
        """``not as described``."""
        return self.value.replace("_", " ")


class Disposition(enum.StrEnum):
    """What happens to the returned units."""

    RESTOCK = "restock"  # back on the shelf: stock goes up
    WRITE_OFF = "write_off"  # damaged or not worth taking back: stock stays as it is

    @property
    def label(self) -> str:
        """``write off``."""
        return self.value.replace("_", " ")


class RefundMethod(enum.StrEnum):
    """How the money goes back."""

    CARD = "card"  # to the order's captured card payment, through the gateway
    CHECK = "check"  # a check the office writes (recorded with its number)
    STORE_CREDIT = "store_credit"  # on the customer's account, for a later order

    @property
    def label(self) -> str:
        """``store credit``."""
        return self.value.replace("_", " ")


class RefundStatus(enum.StrEnum):
    """Where a refund stands. Check and store credit are refunded at once; a card refund is
    pending until the gateway answers (reconciliation finishes one a crash interrupted).
    """

    PENDING = "pending"
    REFUNDED = "refunded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ReturnItem:
    """One line of a return as asked for: a SKU, how many, and where they go."""

    sku: str
    quantity: int
    disposition: Disposition = Disposition.RESTOCK


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """Some units of one order line that came back."""

    order_line_id: int
    product_id: int
    sku: str
    quantity: int
    disposition: Disposition


@dataclass(frozen=True, slots=True)
class Return:
    """A return (RMA) of some of an order's shipped units.

    Attributes:
        id: ``None`` until stored; the RMA number people read is :attr:`rma`.
        order_id, customer_id: whose goods.
        reason: the reason code; ``note`` says more in the customer's or operator's words.
        lines: what came back and where it went.
        created_at, created_by: when and by whom it was recorded.
        exchange_order_id: the replacement draft or order of an exchange, if any.
    """

    id: int | None
    order_id: int
    customer_id: int | None
    reason: ReturnReason
    note: str
    lines: tuple[ReturnLine, ...]
    created_at: datetime
    created_by: str
    exchange_order_id: int | None = None

    @property
    def rma(self) -> str:
        """``RMA-42``."""
        return f"RMA-{self.id}"

    @property
    def units(self) -> int:
        """Units that came back."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """How the office wants to pay a return back.

    Attributes:
        method: card, check or store credit.
        amount: ``None`` for the default (:func:`refund_default`); else at most that.
        include_shipping: add the order's shipping charge and its tax to the default (once per order).
        check_number: the check's number (``CHECK``).
    """

    method: RefundMethod
    amount: Decimal | None = None
    include_shipping: bool = False
    check_number: str = ""


@dataclass(frozen=True, slots=True)
class Refund:
    """Money given back for a return.

    Attributes:
        id: ``None`` until stored.
        return_id, order_id, customer_id: what it pays back.
        method, amount, status: see the enums.
        includes_shipping: it gave back the order's shipping charge.
        check_number: for a check.
        reference: the gateway's refund reference (card), once approved.
        card_label: ``Visa ending 1111`` for a card refund.
        call_key: the gateway call's base key (card), which ties a crashed refund to its call.
        failure: why the gateway refused it.
        created_at, created_by: when and by whom.
    """

    id: int | None
    return_id: int
    order_id: int
    customer_id: int | None
    method: RefundMethod
    amount: Decimal
    status: RefundStatus
    includes_shipping: bool = False
    check_number: str = ""
    reference: str = ""
    card_label: str = ""
    call_key: str = ""
    failure: str = ""
    created_at: datetime | None = None
    created_by: str = ""

    @property
    def counts(self) -> bool:
        """Whether it takes from what is left to refund (a failed refund gave nothing back)."""
        return self.status is not RefundStatus.FAILED

    def describe(self) -> str:
        """``card 12.50 Visa ending 1111: refunded``, ``check #1042 30.00: refunded``."""
        how = {
            RefundMethod.CARD: f"card {self.amount} {self.card_label}".rstrip(),
            RefundMethod.CHECK: f"check #{self.check_number} {self.amount}",
            RefundMethod.STORE_CREDIT: f"store credit {self.amount}",
        }[self.method]
        outcome = self.status.value + (f": {self.failure}" if self.failure else "")
        return f"{how}: {outcome}"


@dataclass(frozen=True, slots=True)
class CreditEntry:
    """One movement of a customer's store credit: positive when given, negative when spent."""

    customer_id: int
    amount: Decimal
    what: str
    at: datetime
    by: str
    order_id: int | None = None
    return_id: int | None = None


def check_returnable(order: Order) -> None:
    """Only an order some of which shipped may have a return.

    Raises:
        InvalidState: naming the order's status.
    """
    if order.status not in RETURNABLE:
        raise InvalidState(
            f"order {order.number} is {order.status.label}; only shipped goods can be returned"
        )


def returnable(order: Order, shipments: Iterable[Shipment], returns: Iterable[Return]) -> dict[int, int]:
    """Units of each order line (by id) that may still come back: shipped less already returned.

    A shipped or delivered order shipped every unit, whatever its shipment rows say (orders shipped
    before oms recorded shipments have none); a part-shipped one shipped what its shipments hold.
    """
    left: dict[int, int] = {}
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        left = {line.id: line.quantity for line in order.lines if line.id is not None}
    elif order.status is OrderStatus.PART_SHIPPED:
        for shipment in shipments:
            for line in shipment.lines:
                left[line.order_line_id] = left.get(line.order_line_id, 0) + line.quantity
    for earlier in returns:
        for line in earlier.lines:
            left[line.order_line_id] = left.get(line.order_line_id, 0) - line.quantity
    known = {line.id for line in order.lines}
    return {line_id: units for line_id, units in left.items() if units > 0 and line_id in known}


def plan_return(
    order: Order, shipments: Sequence[Shipment], returns: Sequence[Return], items: Sequence[ReturnItem]
) -> tuple[ReturnLine, ...]:
    """The lines of a new return of ``order``, checked against what shipped and came back before.

    Raises:
        InvalidState: the order has nothing shipped (or nothing left) to return.
        ValidationError: no items, a SKU not on the order, a quantity below 1 or above what may
            still come back (naming the SKU).
    """
    check_returnable(order)
    left = returnable(order, shipments, returns)
    if not left:
        raise InvalidState(f"everything shipped on order {order.number} has been returned already")
    if not items:
        raise ValidationError("give at least one SKU and quantity to return", field="items")
    planned: dict[tuple[int, Disposition], int] = {}
    taken: dict[int, int] = {}
    for item in items:
        sku = item.sku.strip().upper()
        lines = [line for line in order.lines if line.sku.upper() == sku and line.id is not None]
        if not lines:
            raise ValidationError(f"{item.sku.strip()} is not on order {order.number}", field="sku")
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or item.quantity < 1:
            raise ValidationError(f"the quantity of {sku} must be at least 1", field="quantity")
        available = sum(left.get(line.id or 0, 0) - taken.get(line.id or 0, 0) for line in lines)
        if item.quantity > available:
            raise ValidationError(
                f"only {available} of {sku} can come back on order {order.number} "
                f"(shipped less returned), not {item.quantity}",
                field="quantity",
            )
        wanted = item.quantity
        for line in lines:  # the same SKU on two lines: fill them in order
            take = min(wanted, left.get(line.id or 0, 0) - taken.get(line.id or 0, 0))
            if take > 0:
                taken[line.id or 0] = taken.get(line.id or 0, 0) + take
                key = (line.id or 0, item.disposition)
                planned[key] = planned.get(key, 0) + take
                wanted -= take
    by_id = {line.id: line for line in order.lines}
    return tuple(
        ReturnLine(line_id, by_id[line_id].product_id, by_id[line_id].sku, quantity, disposition)
        for (line_id, disposition), quantity in sorted(planned.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    )


def lines_value(order: Order, lines: Iterable[ReturnLine]) -> Decimal:
    """What the returned units cost the customer: their share of each line's price and tax."""
    by_id = {line.id: line for line in order.lines}
    amount = ZERO
    for item in lines:
        line = by_id[item.order_line_id]
        share = Decimal(item.quantity) / Decimal(line.quantity)
        amount += (line.line_total + line.line_tax) * share
    return money(amount)


def shipping_value(order: Order) -> Decimal:
    """The order's shipping charge with its tax."""
    return money(order.shipping_charge + order.shipping_tax)


def refund_default(order: Order, lines: Iterable[ReturnLine], include_shipping: bool) -> Decimal:
    """The refund a return is worth unless the office lowers it."""
    amount = lines_value(order, lines)
    if include_shipping:
        amount += shipping_value(order)
    return money(amount)


def refund_amount(
    order: Order,
    lines: Sequence[ReturnLine],
    request: RefundRequest,
    earlier: Sequence[Refund],
    for_this_return: Sequence[Refund] = (),
) -> Decimal:
    """The amount to refund, checked: above zero, at most the return's default less what was
    already refunded on it, never more than the order's total less every refund so far, and the
    shipping given back at most once per order.

    Raises:
        ValidationError: naming ``amount``, ``include_shipping`` or ``check_number``.
    """
    if request.include_shipping and any(r.includes_shipping and r.counts for r in earlier):
        raise ValidationError(
            f"the shipping of order {order.number} was refunded already", field="include_shipping"
        )
    if request.method is RefundMethod.CHECK:
        check_check_number(request.check_number)
    if request.method is RefundMethod.STORE_CREDIT and order.customer_id is None:
        raise ValidationError("store credit needs a customer on the order", field="method")
    shipping_before = any(r.includes_shipping and r.counts for r in for_this_return)
    default = refund_default(order, lines, request.include_shipping or shipping_before)
    default -= sum((r.amount for r in for_this_return if r.counts), ZERO)
    order_left = order.total - sum((r.amount for r in earlier if r.counts), ZERO)
    ceiling = money(min(default, order_left))
    amount = ceiling if request.amount is None else money(request.amount)
    if ceiling <= ZERO:
        raise ValidationError("nothing is left to refund on this return", field="amount")
    if amount <= ZERO:
        raise ValidationError("the refund must be more than 0.00", field="amount")
    if amount > ceiling:
        raise ValidationError(
            f"the refund can be at most {ceiling} (the returned goods' value)", field="amount"
        )
    return amount


def check_check_number(text: str) -> str:
    """A check number: letters, digits and dashes, at most 30.

    Raises:
        ValidationError: on field ``check_number``.
    """
    number = text.strip()
    if not number:
        raise ValidationError("give the check's number", field="check_number")
    if len(number) > CHECK_NUMBER_MAX or not _CHECK_NUMBER.match(number):
        raise ValidationError(
            f"the check number must be at most {CHECK_NUMBER_MAX} letters, digits or dashes",
            field="check_number",
        )
    return number


def check_note(text: str) -> str:
    """The return's note, trimmed (customer text is kept literally).

    Raises:
        ValidationError: on field ``note`` when it is too long.
    """
    note = " ".join(text.split())
    if len(note) > NOTE_MAX:
        raise ValidationError(f"the note must be at most {NOTE_MAX} characters", field="note")
    return note


def needs_supervisor(amount: Decimal, limit: Decimal) -> bool:
    """A refund above the office's limit needs a supervisor."""
    return amount > limit


def parse_items(text: str) -> list[ReturnItem]:
    """``CAB-750 2, MER-750 1 w`` as items: SKU, quantity, and ``w`` (write off) or ``r`` (restock,
    the default). Commas or semicolons separate the items.

    Raises:
        ValidationError: naming the item that cannot be read.
    """
    items = []
    for part in re.split(r"[,;]", text):
        words = part.split()
        if not words:
            continue
        if len(words) > 3:
            raise ValidationError(f"{part.strip()!r}: give SKU, quantity and r or w", field="items")
        sku, quantity, how = (
            words[0],
            words[1] if len(words) > 1 else "1",
            words[2] if len(words) > 2 else "r",
        )
        if not quantity.isdigit():
            raise ValidationError(f"{part.strip()!r}: {quantity!r} is not a quantity", field="items")
        disposition = _DISPOSITIONS.get(how.lower())
        if disposition is None:
            raise ValidationError(f"{part.strip()!r}: say r (restock) or w (write off)", field="items")
        items.append(ReturnItem(sku, int(quantity), disposition))
    if not items:
        raise ValidationError("give at least one SKU and quantity to return", field="items")
    return items


_DISPOSITIONS = {
    "r": Disposition.RESTOCK,
    "restock": Disposition.RESTOCK,
    "w": Disposition.WRITE_OFF,
    "write_off": Disposition.WRITE_OFF,
    "writeoff": Disposition.WRITE_OFF,
}
