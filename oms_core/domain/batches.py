"""Batch jobs: a bulk order (the same items for many customers) or a club shipment.

A batch is stored with its members, one per customer, each with the status of its order. The
status lives in the database, so a job stopped part-way (a key, a closed terminal, a crash) goes on
where it stopped, and a member whose order was placed is never ordered for again: every order of a
batch carries the key ``<kind>:<batch id>:<customer id>``. Standard library only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from oms_core.domain.errors import ValidationError
from oms_core.domain.orders import check_quantity
from oms_core.domain.products import normalize_sku
from oms_core.domain.text import clean_field

NAME_MAX = 200


class BatchKind(enum.StrEnum):
    """What a batch places."""

    BULK = "bulk"
    CLUB = "club"


class BatchStatus(enum.StrEnum):
    """Where a batch job is.

    ``open``: not run yet; ``running``: a run started and has not finished (it resumes);
    ``stopped``: the operator stopped it part-way; ``finished``: every member was tried.
    """

    OPEN = "open"
    RUNNING = "running"
    STOPPED = "stopped"
    FINISHED = "finished"


class MemberStatus(enum.StrEnum):
    """What happened to one member's order."""

    PENDING = "pending"
    PLACED = "placed"
    FAILED = "failed"
    SKIPPED = "skipped"


class PaymentPolicy(enum.StrEnum):
    """Who pays for a batch's orders."""

    OWN = "own"  # each customer: their card on file, else on account where their type allows
    CARD_ON_FILE = "card_on_file"  # club members: their card on file, nothing else


@dataclass(slots=True)
class Batch:
    """A bulk order or a club shipment.

    Attributes:
        lines: (upper-case SKU, quantity) pairs, merged.
        club_type_code: for a club shipment, the customer type of its members.
        ship_date: for a club shipment, when it leaves.
    """

    id: int | None
    kind: BatchKind
    name: str
    lines: tuple[tuple[str, int], ...]
    shipping_method: str
    payment_policy: PaymentPolicy = PaymentPolicy.OWN
    club_type_code: str | None = None
    ship_date: date | None = None
    status: BatchStatus = BatchStatus.OPEN
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def order_key(self, customer_id: int) -> str:
        """The idempotency key of this batch's order for ``customer_id`` (see ``batch_key``)."""
        return f"{self.kind.value}:{self.id or 0}:{customer_id}"


@dataclass(frozen=True, slots=True)
class BatchMember:
    """One customer of a batch and what happened to their order.

    Attributes:
        order_id: the placed order.
        reason: why it failed or was skipped ("" when placed or pending).
        updated_at: when the status last changed.
    """

    customer_id: int
    status: MemberStatus = MemberStatus.PENDING
    order_id: int | None = None
    reason: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MemberResult:
    """A member's new status, as a run records it."""

    customer_id: int
    status: MemberStatus
    order_id: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MemberTarget:
    """A member about to be processed, with what decides how (read with the member).

    Attributes:
        customer_status: the customer's status now (active, on hold, closed).
        preferred_pickup: the customer collects their orders (a club's Will Call members).
        type_code: the customer's type now (a club member who left the club has another).
        tried_at: when the member's status last changed (their last failed attempt, if any).
    """

    customer_id: int
    status: MemberStatus
    customer_status: str
    preferred_pickup: bool
    type_code: str
    tried_at: datetime | None = None

    def payment_key(self, order_key: str) -> str:
        """The gateway idempotency key of this attempt: the same for a run that is repeated
        because it never committed; a new one after a recorded failure, so a retried card is asked
        afresh (a gateway answers a repeated key with its first answer).
        """
        if self.status is MemberStatus.PENDING or self.tried_at is None:
            return f"batch:{order_key}"
        return f"batch:{order_key}:{self.tried_at.strftime('%Y%m%d%H%M%S%f')}"


@dataclass(frozen=True, slots=True)
class MemberCounts:
    """How many members are in each status."""

    pending: int = 0
    placed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        """Every member."""
        return self.pending + self.placed + self.failed + self.skipped

    @property
    def to_do(self) -> int:
        """Members a run would still try: pending, failed and skipped."""
        return self.pending + self.failed + self.skipped

    @classmethod
    def of(cls, counts: dict[str, int]) -> MemberCounts:
        """From ``{status: count}``."""
        return cls(
            counts.get(MemberStatus.PENDING, 0),
            counts.get(MemberStatus.PLACED, 0),
            counts.get(MemberStatus.FAILED, 0),
            counts.get(MemberStatus.SKIPPED, 0),
        )


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member as the screens and reports show it: who, and what became of their order."""

    customer_id: int
    customer_number: str
    customer_name: str
    customer_status: str
    status: MemberStatus
    order_id: int | None = None
    order_number: int | None = None
    order_total_cents: int | None = None
    reason: str = ""
    email: str = ""
    updated_at: datetime | None = field(default=None, compare=False)


def batch_key(kind: BatchKind | str, batch_id: int, customer_id: int) -> str:
    """``bulk:12:3456``: the key a batch's order for a customer carries (``orders.batch_key``)."""
    return f"{BatchKind(kind).value}:{batch_id}:{customer_id}"


def clean_name(name: str) -> str:
    """A batch's name, checked.

    Raises:
        ValidationError: empty or too long (field ``name``).
    """
    cleaned = clean_field(name)
    if not cleaned:
        raise ValidationError("give the batch a name", field="name")
    if len(cleaned) > NAME_MAX:
        raise ValidationError(f"the name is longer than {NAME_MAX} characters", field="name")
    return cleaned


def clean_lines(lines: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Items for a batch: SKUs upper-cased, repeats merged, quantities checked.

    Raises:
        ValidationError: no items, or a bad SKU or quantity (field ``lines``).
    """
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        key = normalize_sku(sku)
        if not key:
            raise ValidationError("an item has no SKU", field="lines")
        check_quantity(quantity, "lines")
        merged[key] = merged.get(key, 0) + quantity
    if not merged:
        raise ValidationError("add at least one item", field="lines")
    for quantity in merged.values():
        check_quantity(quantity, "lines")
    return tuple(merged.items())
