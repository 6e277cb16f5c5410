"""Club shipments: one order per active club member, at the club's prices, on their card on file.

Clubs are customer types marked ``is_club``; members are the customers of that type who are active
or on hold. A shipment (``Fall 2026 release``) has a club, its items, a ship date and a shipping
method. Its members are taken in when it is made, and again when it is first processed (members who
joined in between are included); after the first run the list is fixed.

Processing places one order per active member (source ``club``): shipped to the member's default
ship-to, or held for pickup when the member collects. Members on hold are skipped and listed;
declined cards, missing addresses and short stock fail with the reason and are tried again by the
next run, which never orders twice for a member (key ``club:<shipment id>:<customer id>``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from oms_core.domain.batches import (
    Batch,
    BatchKind,
    BatchStatus,
    MemberResult,
    MemberRow,
    MemberStatus,
    MemberTarget,
    PaymentPolicy,
    clean_lines,
    clean_name,
)
from oms_core.domain.customers import CustomerStatus, CustomerType
from oms_core.domain.errors import NotFound, ValidationError
from oms_core.domain.orders import OrderSource
from oms_core.ports import UnitOfWork
from oms_core.read_models import TimePosition
from oms_core.services.batch_jobs import (
    BatchPreview,
    BatchRunner,
    BatchView,
    RunProgress,
    RunReport,
    check_items,
    check_shipping_method,
    list_views,
    load_view,
    member_rows,
    preview,
)
from oms_core.services.batch_placing import BatchOrderRequest
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext
from oms_core.services.retry import retry_on_conflict

MEMBER_STATUSES = (CustomerStatus.ACTIVE.value, CustomerStatus.ON_HOLD.value)


@dataclass(frozen=True, slots=True)
class ClubView:
    """A club with its membership."""

    code: str
    name: str
    discount_percent: str
    active: int
    on_hold: int


class ClubService:
    """Club shipments: make them, see their members, process and retry them."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def clubs(self) -> list[ClubView]:
        """Every club with how many members are active and on hold."""
        with self._ctx.read() as uow:
            return [
                ClubView(
                    t.code,
                    t.name,
                    f"{t.discount_percent.normalize():f}",
                    len(uow.customers.ids_by_type(t.code, [CustomerStatus.ACTIVE.value])),
                    len(uow.customers.ids_by_type(t.code, [CustomerStatus.ON_HOLD.value])),
                )
                for t in uow.reference.customer_types()
                if t.is_club
            ]

    @retry_on_conflict
    def create_shipment(
        self,
        name: str,
        club_code: str,
        lines: Sequence[tuple[str, int]],
        ship_date: date | None,
        shipping_method: str,
    ) -> BatchView:
        """Make a shipment and take in the club's members (active and on hold).

        Raises:
            ValidationError: no name, unknown club, no items or a bad one, no ship date, unknown
                shipping method.
        """
        shipment_name = clean_name(name)
        items = clean_lines(list(lines))
        if ship_date is None:
            raise ValidationError("give the ship date", field="ship_date")
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            club = _club(uow, club_code)
            check_items(uow, items)
            check_shipping_method(uow, shipping_method)
            batch = Batch(
                id=None,
                kind=BatchKind.CLUB,
                name=shipment_name,
                lines=items,
                shipping_method=shipping_method,
                payment_policy=PaymentPolicy.CARD_ON_FILE,
                club_type_code=club.code,
                ship_date=ship_date,
                created_by=self._ctx.operator_username,
                created_at=now,
                updated_at=now,
            )
            batch_id = uow.batches.add(batch)
            uow.batches.add_members(batch_id, uow.customers.ids_by_type(club.code, MEMBER_STATUSES), now)
            view = load_view(uow, batch_id)
            uow.commit()
        return view

    @retry_on_conflict
    def update_shipment(
        self,
        shipment_id: int,
        name: str | None = None,
        lines: Sequence[tuple[str, int]] | None = None,
        ship_date: date | None = None,
        shipping_method: str | None = None,
    ) -> BatchView:
        """Change a shipment's name, items, ship date or shipping; placed orders keep theirs."""
        with self._ctx.write() as uow:
            batch = _shipment(uow, shipment_id)
            if name is not None:
                batch.name = clean_name(name)
            if lines is not None:
                batch.lines = clean_lines(list(lines))
                check_items(uow, batch.lines)
            if ship_date is not None:
                batch.ship_date = ship_date
            if shipping_method is not None:
                check_shipping_method(uow, shipping_method)
                batch.shipping_method = shipping_method
            batch.updated_at = self._ctx.clock.now()
            uow.batches.update(batch)
            view = load_view(uow, shipment_id)
            uow.commit()
        return view

    def get(self, shipment_id: int) -> BatchView:
        """A shipment with its member counts."""
        with self._ctx.read() as uow:
            _shipment(uow, shipment_id)
            return load_view(uow, shipment_id)

    def list(self, limit: int = 50, after: TimePosition | None = None) -> list[BatchView]:
        """Shipments, newest first: a page of ``limit``, after ``after`` (``TimePosition.after``
        of the last row shown) for the next one.
        """
        with self._ctx.read() as uow:
            return list_views(uow, uow.batches.list(BatchKind.CLUB, limit, after))

    def members(
        self, shipment_id: int, status: str | None = None, limit: int = 100, after_customer: int | None = None
    ) -> list[MemberRow]:
        """A page of the shipment's members with their status and order."""
        return member_rows(self._ctx, shipment_id, status, limit, after_customer)

    def preview(self, shipment_id: int, limit: int = 500) -> BatchPreview:
        """Each member's order as processing would place it now; nothing is written."""
        return preview(self._ctx, shipment_id, _plan, limit)

    def process(
        self,
        shipment_id: int,
        progress: Callable[[RunProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        chunk_size: int | None = None,
    ) -> RunReport:
        """Place the orders of every member not yet placed (a retry is the same call).

        Raises:
            NotFound: no such shipment.
        """
        with self._ctx.read() as uow:
            _shipment(uow, shipment_id)
        return BatchRunner(self._ctx, _plan, chunk_size).run(
            shipment_id, progress, should_stop, prepare=self._take_in_members
        )

    def _take_in_members(self, uow: UnitOfWork, batch: Batch) -> None:
        if batch.status is BatchStatus.OPEN and batch.club_type_code and batch.id is not None:
            ids = uow.customers.ids_by_type(batch.club_type_code, MEMBER_STATUSES)
            uow.batches.add_members(batch.id, ids, self._ctx.clock.now())


def _plan(
    uow: UnitOfWork, batch: Batch, targets: Sequence[MemberTarget], pricing: PricingContext
) -> tuple[list[BatchOrderRequest], list[MemberResult]]:
    """Active members get an order; the others are skipped with the reason."""
    pickup = next((m.code for m in pricing.methods.values() if m.active and m.is_pickup), None)
    when = f", ships {batch.ship_date.isoformat()}" if batch.ship_date else ""
    notes = f"Club shipment: {batch.name}{when}"
    requests: list[BatchOrderRequest] = []
    skipped: list[MemberResult] = []
    for target in targets:
        reason = _skip_reason(batch, target)
        if reason:
            skipped.append(MemberResult(target.customer_id, MemberStatus.SKIPPED, reason=reason))
            continue
        method = pickup if target.preferred_pickup and pickup else batch.shipping_method
        requests.append(
            BatchOrderRequest(
                key=batch.order_key(target.customer_id),
                customer_id=target.customer_id,
                lines=batch.lines,
                source=OrderSource.CLUB,
                shipping_method=method,
                notes=notes,
                payment_key=target.payment_key(batch.order_key(target.customer_id)),
            )
        )
    return requests, skipped


def _skip_reason(batch: Batch, target: MemberTarget) -> str:
    if target.type_code != batch.club_type_code:
        return "no longer a member of the club"
    if target.customer_status == CustomerStatus.ON_HOLD.value:
        return "member is on hold"
    if target.customer_status != CustomerStatus.ACTIVE.value:
        return f"customer is {target.customer_status.replace('_', ' ')}"
    return ""


def _club(uow: UnitOfWork, code: str) -> CustomerType:
    club = uow.reference.customer_type(code)
    if club is None or not club.is_club:
        raise ValidationError(f"{code!r} is not a club", field="club")
    return club


def _shipment(uow: UnitOfWork, shipment_id: int) -> Batch:
    try:
        batch = uow.batches.get(shipment_id)
    except NotFound:
        raise NotFound(f"there is no club shipment {shipment_id}") from None
    if batch.kind is not BatchKind.CLUB:
        raise ValidationError(f"batch {shipment_id} is not a club shipment", field="shipment")
    return batch
