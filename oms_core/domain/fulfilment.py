"""After the sale: shipments of a placed order, whole or in part, and what each leaves to ship.

An order is released to the warehouse, then shipped in one or more shipments (some lines, some
quantities each), then delivered. A shipment carries the carrier, the service and the tracking
number; the order's status follows from what its shipments hold (:func:`status_after`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.money import ZERO, money
from oms_core.domain.orders import Order, OrderStatus

ALL = "all"
"""A shipping confirmation's quantity meaning "whatever is left of this SKU"."""

CARRIER_MAX = 40
SERVICE_MAX = 60
TRACKING_MAX = 60
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]*$")


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """Some units of one order line in a shipment."""

    order_line_id: int
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Shipment:
    """One package (or pallet) that left the warehouse.

    Attributes:
        id: ``None`` until stored.
        order_id: the order it belongs to.
        carrier: ``UPS``, ``FedEx``, ``USPS``, ...
        service: ``Ground``, ``2nd Day Air``, ... (may be empty).
        tracking_number: the carrier's number, or ``""`` (a pickup, a local delivery).
        shipped_at: when it left.
        lines: what it holds.
        recorded_by: the operator, or ``import`` for a warehouse file.
        delivered_at: when the carrier delivered it, once known.
        capture: what happened to the payment for it: ``captured``, ``not needed``, or
            ``failed: <reason>`` (the order is flagged for the office).
    """

    id: int | None
    order_id: int
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    lines: tuple[ShipmentLine, ...]
    recorded_by: str = ""
    delivered_at: datetime | None = None
    capture: str = ""

    @property
    def units(self) -> int:
        """Units in the package."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class ShipRequest:
    """What a person or a warehouse file says shipped, before it is checked against the order.

    Attributes:
        items: (SKU, quantity) pairs; quantity ``None`` means all that is left of the SKU. No items
            at all means everything that is left on the order.
    """

    carrier: str
    service: str = ""
    tracking_number: str = ""
    items: tuple[tuple[str, int | None], ...] = field(default=())


def left_to_ship(order: Order, shipments: list[Shipment]) -> dict[int, int]:
    """Units of each order line (by line id) not yet in any shipment; lines fully shipped are left out."""
    shipped: dict[int, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
    left = {}
    for line in order.lines:
        if line.id is None:
            continue
        remaining = line.quantity - shipped.get(line.id, 0)
        if remaining > 0:
            left[line.id] = remaining
    return left


def check_carrier(carrier: str, service: str, tracking_number: str) -> tuple[str, str, str]:
    """The carrier, service and tracking number, trimmed and checked.

    Raises:
        ValidationError: naming the field.
    """
    carrier, service, tracking = carrier.strip(), service.strip(), tracking_number.strip()
    if not carrier:
        raise ValidationError("give the carrier (UPS, FedEx, USPS...)", field="carrier")
    if len(carrier) > CARRIER_MAX or not carrier.isprintable():
        raise ValidationError(
            f"the carrier must be at most {CARRIER_MAX} printable characters", field="carrier"
        )
    if len(service) > SERVICE_MAX or not service.isprintable():
        raise ValidationError(
            f"the service must be at most {SERVICE_MAX} printable characters", field="service"
        )
    if tracking and (len(tracking) > TRACKING_MAX or not _TRACKING.match(tracking)):
        raise ValidationError(
            f"{tracking[:TRACKING_MAX]!r} is not a tracking number (letters, digits, spaces, dots, dashes)",
            field="tracking_number",
        )
    return carrier, service, tracking


def plan_shipment(order: Order, shipments: list[Shipment], request: ShipRequest) -> tuple[ShipmentLine, ...]:
    """The lines of a new shipment of ``order``, from what the request says shipped.

    Raises:
        InvalidState: the order cannot ship (a draft, cancelled, already shipped or delivered).
        ValidationError: a SKU that is not on the order, or more units than are left to ship.
    """
    if not order.status.can_ship:
        raise InvalidState(f"order {order.number} is {order.status.value.replace('_', ' ')}: nothing to ship")
    check_not_held(order, "shipped")
    left = left_to_ship(order, shipments)
    if not left:
        raise InvalidState(f"everything on order {order.number} has shipped already")
    if not request.items:
        return tuple(
            ShipmentLine(line.id, line.sku, left[line.id]) for line in order.lines if line.id in left
        )
    planned: dict[int, int] = {}
    for sku, quantity in request.items:
        lines = [
            line for line in order.lines if line.sku.upper() == sku.strip().upper() and line.id is not None
        ]
        if not lines:
            raise ValidationError(f"{sku} is not on order {order.number}", field="sku")
        available = sum(left.get(line.id or 0, 0) - planned.get(line.id or 0, 0) for line in lines)
        wanted = available if quantity is None else quantity
        if quantity is not None and quantity < 1:
            raise ValidationError(f"the quantity of {sku} must be at least 1", field="quantity")
        if wanted > available or available == 0:
            raise ValidationError(
                f"only {available} of {sku} left to ship on order {order.number}, not {wanted}",
                field="quantity",
            )
        for line in lines:  # the same SKU on two lines: fill them in order
            take = min(wanted, left.get(line.id or 0, 0) - planned.get(line.id or 0, 0))
            if take > 0:
                planned[line.id or 0] = planned.get(line.id or 0, 0) + take
                wanted -= take
    return tuple(
        ShipmentLine(line.id, line.sku, planned[line.id]) for line in order.lines if line.id in planned
    )


def new_shipment(
    order: Order, earlier: list[Shipment], request: ShipRequest, when: datetime, recorded_by: str
) -> Shipment:
    """The shipment ``request`` describes, checked against the order and what it has shipped so far.

    Every rule of recording a shipment, for the Order screen, the ship import and its dry run: the
    carrier and tracking number, a tracking number not already on the order, the order's status and
    hold, SKUs on the order and no more units than are left.

    Raises:
        ValidationError: naming the field (carrier, service, tracking_number, sku, quantity).
        InvalidState: the order cannot ship (its status, a hold, nothing left).
    """
    carrier, service, tracking = check_carrier(request.carrier, request.service, request.tracking_number)
    if tracking and any(s.tracking_number == tracking for s in earlier):
        raise ValidationError(
            f"tracking number {tracking} is already recorded on order {order.number}",
            field="tracking_number",
        )
    checked = ShipRequest(carrier, service, tracking, request.items)
    lines = plan_shipment(order, earlier, checked)
    return Shipment(None, order.id or 0, carrier, service, tracking, when, lines, recorded_by)


def status_after(order: Order, shipments: list[Shipment]) -> OrderStatus:
    """Shipped once nothing is left to ship, part shipped while something is."""
    return OrderStatus.SHIPPED if not left_to_ship(order, shipments) else OrderStatus.PART_SHIPPED


def amount_for(order: Order, shipment_lines: tuple[ShipmentLine, ...], first: bool) -> Decimal:
    """What a part shipment is worth to capture: its lines with their tax, and on the first shipment
    the shipping charge and its tax. The shipment that completes an order captures whatever is left
    of the order's total instead, so rounding never leaves a cent behind.
    """
    amount = ZERO
    by_id = {line.id: line for line in order.lines}
    for item in shipment_lines:
        line = by_id[item.order_line_id]
        share = Decimal(item.quantity) / Decimal(line.quantity)
        amount += line.line_total * share + line.line_tax * share
    if first:
        amount += order.shipping_charge + order.shipping_tax
    return money(amount)


def shipment_capture(
    order: Order, before: list[Shipment], shipment: Shipment, authorised: Decimal
) -> Decimal | None:
    """What the card is charged for ``shipment``: ``None`` for "whatever is left" (it completes the
    order), else its share (:func:`amount_for`; shipping goes with the first shipment).

    When the card pays only part of the order (``authorised`` below the order's total: a gift card or
    store credit paid the rest), the share is scaled by the card's part of the total.

    Args:
        order: the order, as placed.
        before: the order's shipments recorded before this one.
        shipment: the shipment to charge for.
        authorised: the card's authorised amount.
    """
    if not left_to_ship(order, [*before, shipment]):
        return None
    share = amount_for(order, shipment.lines, first=not before)
    if order.total > 0 and authorised != order.total:
        share = money(share * authorised / order.total)
    return share


def check_release(order: Order, change_draft_id: int | None = None) -> None:
    """Only a placed order that is not held, with no change under way, goes to the warehouse.

    A change under way (``change_draft_id``, its open change draft) would be refused once the
    order is released, losing what the operator is typing with the customer on the line; the
    release waits until the change is applied or discarded.

    Raises:
        InvalidState: naming the order's state, its hold, or the change draft.
    """
    if order.status is not OrderStatus.PLACED:
        raise InvalidState(
            f"order {order.number} is {order.status.value.replace('_', ' ')}; only placed orders are released"
        )
    check_not_held(order, "released")
    if change_draft_id is not None:
        raise InvalidState(
            f"order {order.number} is being changed (draft {change_draft_id}); "
            "apply or discard the change before releasing it"
        )


HOLDABLE = (OrderStatus.PLACED, OrderStatus.RELEASED)
"""Statuses an order may be held in: placed, or released but nothing shipped yet."""


def can_hold(order: Order) -> bool:
    """The order may be held: placed or released, and not held already."""
    return order.hold is None and order.status in HOLDABLE


def check_can_hold(order: Order) -> None:
    """Only a placed or released order that is not already held can be held.

    Raises:
        InvalidState: naming the order's state or its hold.
    """
    if order.hold is not None:
        raise InvalidState(f"order {order.number} is already on hold: {order.hold.describe()}")
    if order.status not in HOLDABLE:
        raise InvalidState(
            f"order {order.number} is {order.status.value.replace('_', ' ')}; "
            "only placed or released orders can be held"
        )


def check_not_held(order: Order, action: str) -> None:
    """Refuse ``action`` (``released``, ``shipped``) while the order is held.

    Raises:
        InvalidState: one line naming the hold.
    """
    if order.hold is not None:
        raise InvalidState(
            f"order {order.number} is on hold for {order.hold.reason.value} "
            f"(by {order.hold.placed_by}); it cannot be {action} until the hold is released"
        )
