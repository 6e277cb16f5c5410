"""After the sale: release orders to the warehouse, record shipments, mark deliveries.

Each call is one short transaction holding the order's row lock (the order is the first and only
row it locks, as the lock order requires). Mail about a shipment is queued in that transaction and
sent after it; the payment for what shipped is captured after the commit, never inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import InvalidState, OmsError, ValidationError
from oms_core.domain.fulfilment import (
    Shipment,
    ShipRequest,
    check_release,
    new_shipment,
    shipment_capture,
    status_after,
)
from oms_core.domain.mail import MailKind
from oms_core.domain.orders import Order, OrderStatus, check_transition
from oms_core.domain.payments import PaymentStatus
from oms_core.ports import UnitOfWork
from oms_core.read_models import OrderFilter, OrderPosition, OrderSummary, OrderView, ShipmentView
from oms_core.services.context import ServiceContext
from oms_core.services.mail import queue_order_mail
from oms_core.services.payments import PartCaptureUnavailable, PaymentsService
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import shipment_view, stored_order_view

PICK_PAGE = 200
CAPTURE_DONE = "captured"
CAPTURE_NOT_NEEDED = "not needed"
CAPTURE_WITH_LAST = "with the last shipment"
PICKLIST_MARK = "picklist_mark"
"""Settings key: the last release (time|order id) the previous ``oms export picklist`` listed."""


@dataclass(frozen=True, slots=True)
class ReleaseRun:
    """What ``release_all_placed`` did: the numbers released, and why each other order stayed."""

    released: list[int]
    left: list[str]


@dataclass(frozen=True, slots=True)
class PickLine:
    """One row of the warehouse's picklist: an order line to pick, with where it goes."""

    order_id: int
    order_number: int
    released_at: datetime
    ship_to_name: str
    ship_to: str
    shipping_method: str
    sku: str
    name: str
    quantity: int
    gift_message: str


class FulfilmentService:
    """Release, ship, deliver."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    @retry_on_conflict
    def release(self, order_id: int) -> OrderView:
        """Hand a placed order to the warehouse.

        Raises:
            InvalidState: the order is not placed (already released, shipped, cancelled, a draft),
                is held, or has a change under way.
            NotFound: no such order.
        """
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)  # locked: a change cannot start meanwhile
            check_release(order, uow.orders.change_draft_of(order_id))
            now = self._ctx.clock.now()
            _move(uow, order, OrderStatus.RELEASED, now)
            uow.shipments.release(order.id or 0, now, self._ctx.operator_username)
            _audit(self._ctx, uow, order, "released", "to the warehouse")
            view = self._view(uow, order)
            uow.commit()
        return view

    @retry_on_conflict
    def ship(self, order_id: int, request: ShipRequest, shipped_at: datetime | None = None) -> ShipmentView:
        """Record a shipment of some or all of what is left on the order.

        Raises:
            ValidationError: a carrier, tracking number, SKU or quantity that does not fit (naming it).
            InvalidState: nothing is left to ship, or the order cannot ship.
        """
        now = self._ctx.clock.now()
        when = shipped_at or now
        if when > now:
            raise ValidationError("the ship date is in the future", field="shipped_at")
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            earlier = uow.shipments.for_order(order_id)
            shipment = record_shipment(self._ctx, uow, order, earlier, request, when)
            uow.commit()
        # after the commit: the gateway is never asked inside it
        capture = self.capture_for_shipment(order_id, shipment.id or 0)
        return shipment_view(replace(shipment, capture=capture))

    def capture_for_shipment(self, order_id: int, shipment_id: int) -> str:
        """Take the money for what the shipment carried, and record what happened on the shipment.

        Called after the shipment's transaction committed, never inside one. A card order is
        captured shipment by shipment (:func:`~oms_core.domain.fulfilment.shipment_capture`): each
        part shipment its lines with their tax, the first one also the shipping charge, and the
        shipment that completes the order whatever is left, closing the authorisation. A gateway
        that cannot capture part of this card leaves it all to the last shipment. An order paid by
        check, cash or on account needs nothing. A capture that fails leaves the order shipped (or
        part shipped) and the shipment flagged for the office; the completing shipment still takes
        whatever is left, so an earlier failure is made good there if the card allows it.
        """
        with self._ctx.read() as uow:
            order = uow.orders.get(order_id)
            shipments = uow.shipments.for_order(order_id)
        authorised = [p for p in order.payments if p.status is PaymentStatus.AUTHORIZED and p.reference]
        mine = next((s for s in shipments if s.id == shipment_id), None)
        if not authorised or mine is None:
            outcome = CAPTURE_NOT_NEEDED
        else:
            before = [s for s in shipments if (s.id or 0) < shipment_id]
            amount = shipment_capture(order, before, mine, authorised[0].amount)
            try:
                PaymentsService(self._ctx).capture(
                    order_id, amount, final=amount is None, key=f"capture-s{shipment_id}"
                )
                outcome = CAPTURE_DONE
            except PartCaptureUnavailable:
                outcome = CAPTURE_WITH_LAST
            except OmsError as error:
                outcome = f"failed: {error}"
        with self._ctx.write() as uow:
            uow.shipments.set_capture(shipment_id, outcome)
            if outcome.startswith("failed"):
                _audit(self._ctx, uow, order, "capture failed", outcome.removeprefix("failed: "))
            uow.commit()
        return outcome

    @retry_on_conflict
    def mark_delivered(self, order_id: int) -> OrderView:
        """The carrier delivered everything that shipped.

        Raises:
            InvalidState: the order has not shipped in full.
        """
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            check_transition(order.status, OrderStatus.DELIVERED)
            now = self._ctx.clock.now()
            uow.shipments.mark_delivered(order_id, now)
            _move(uow, order, OrderStatus.DELIVERED, now)
            _audit(self._ctx, uow, order, "delivered", "")
            view = self._view(uow, order)
            uow.commit()
        return view

    def release_all_placed(self) -> ReleaseRun:
        """Release every placed order that can go, oldest first.

        Each order is its own short transaction, so a long run never holds the database. An order
        that cannot go (held, a change under way, or cancelled or released by another operator
        meanwhile) stays where it is, and the run says why in one line per order.
        """
        released: list[int] = []
        left: list[str] = []
        after: OrderPosition | None = None
        while page := self._placed_page(after):
            for summary in page:
                try:
                    self.release(summary.id)
                except InvalidState as refusal:
                    left.append(str(refusal))
                    continue
                released.append(summary.number or 0)
            after = OrderPosition.after(page[-1])
        return ReleaseRun(sorted(released), left)

    def _placed_page(self, after: OrderPosition | None) -> list[OrderSummary]:
        with self._ctx.read() as uow:
            return uow.orders.list(OrderFilter(status=OrderStatus.PLACED.value), PICK_PAGE, after)

    def picklist_mark(self) -> tuple[datetime, int] | None:
        """Where the last picklist run ended (the last release it listed), or ``None``."""
        with self._ctx.read() as uow:
            text = uow.reference.setting(PICKLIST_MARK)
        if not text:
            return None
        at, _, order_id = text.partition("|")
        return datetime.fromisoformat(at), int(order_id)

    def save_picklist_mark(self, mark: tuple[datetime, int]) -> None:
        """Remember the last release a picklist run listed (after its file was written)."""
        with self._ctx.write() as uow:
            uow.reference.save_setting(PICKLIST_MARK, f"{mark[0].isoformat()}|{mark[1]}")
            uow.commit()

    def picklist(
        self, since: datetime | None, until: datetime | None, after: tuple[datetime, int] | None = None
    ) -> Iterator[PickLine]:
        """Every line of the orders released in ``[since, until)`` (and after the release ``after``),
        oldest release first, read a page at a time (keyset), each page in its own short read.
        """
        while True:
            with self._ctx.read() as uow:
                page = uow.shipments.released(since, until, after, PICK_PAGE)
                orders = [(at, uow.orders.get(order_id)) for at, order_id in page]
            for at, order in orders:
                yield from _pick_lines(at, order)
            if len(page) < PICK_PAGE:
                return
            after = page[-1]

    def _view(self, uow: UnitOfWork, order: Order) -> OrderView:
        return stored_order_view(uow, order)


def record_shipment(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    earlier: list[Shipment],
    request: ShipRequest,
    when: datetime,
    source: str = "",
) -> Shipment:
    """Record one shipment of ``order`` in the caller's transaction (which holds the order's row lock).

    The one home of what recording a shipment means, for the Order screen's ``s`` and for
    ``oms ship import``: the carrier and tracking number checked, the lines planned against what is
    left (holds and statuses respected), the order's status moved, an audit line and the shipping
    confirmation queued. The caller commits, then captures (:meth:`FulfilmentService.capture_for_shipment`).

    Args:
        ctx: the caller's service context (operator, clock, mail).
        uow: the caller's write unit of work.
        order: the order, loaded (and so locked) in ``uow``; its status is moved here.
        earlier: the order's shipments so far (stored, and any recorded earlier in this transaction).
        request: what shipped.
        when: when it left (not in the future: the caller checks).
        source: where the shipment came from, for the audit line (a file's name), or ``""``.

    Raises:
        ValidationError: a carrier, tracking number, SKU or quantity that does not fit (naming the field).
        InvalidState: nothing is left to ship, the order cannot ship, or it is held.
    """
    shipment = new_shipment(order, earlier, request, when, ctx.operator_username)
    shipment = replace(shipment, id=uow.shipments.add(shipment))
    _move(uow, order, status_after(order, [*earlier, shipment]), ctx.clock.now())
    where = f"{shipment.carrier} {shipment.service} {shipment.tracking_number or '(no tracking number)'}"
    detail = f"{where}: {shipment.units} units".replace("  ", " ")
    _audit(ctx, uow, order, "shipped", f"{detail} (from {source})" if source else detail)
    queue_order_mail(ctx, uow, MailKind.SHIPPING_CONFIRMATION, order, {"shipment": _shipment_text(shipment)})
    return shipment


def _move(uow: UnitOfWork, order: Order, status: OrderStatus, now: datetime) -> None:
    check_transition(order.status, status)
    order.status = status
    order.updated_at = now
    uow.orders.save(order)


def _audit(ctx: ServiceContext, uow: UnitOfWork, order: Order, action: str, detail: str) -> None:
    event = AuditEvent(order.id, ctx.operator_username, action, detail, ctx.clock.now(), order.customer_id)
    uow.audit.add(event)


def _shipment_text(shipment: Shipment) -> str:
    lines = [f"{shipment.carrier} {shipment.service}".strip()]
    if shipment.tracking_number:
        lines.append(f"Tracking number: {shipment.tracking_number}")
    lines += [f"  {line.quantity} x {line.sku}" for line in shipment.lines]
    return "\n".join(lines)


def _pick_lines(released_at: datetime, order: Order) -> Iterator[PickLine]:
    ship_to = order.ship_to or order.bill_to
    for line in order.lines:
        yield PickLine(
            order_id=order.id or 0,
            order_number=order.number or 0,
            released_at=released_at,
            ship_to_name=ship_to.name if ship_to else "",
            ship_to=ship_to.one_line() if ship_to else "",
            shipping_method=order.shipping_method,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            gift_message=order.gift_message,
        )
