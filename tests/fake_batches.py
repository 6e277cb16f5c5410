"""The in-memory batch repository used by ``tests.fakes.FakeUnitOfWork``.

Batches live in ``FakeStore.batches`` and their members in ``FakeStore.batch_members`` (batch id to
``{customer id: member}``, in the order they were added).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from oms_core.domain.batches import (
    Batch,
    BatchKind,
    BatchMember,
    MemberCounts,
    MemberResult,
    MemberRow,
    MemberStatus,
    MemberTarget,
)
from oms_core.domain.errors import NotFound
from oms_core.domain.money import to_cents
from oms_core.ports import BatchRepository
from oms_core.read_models import TimePosition

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class FakeBatchRepository(BatchRepository):
    """Batches and members in memory; objects handed out are copies."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data

    def _members(self, batch_id: int) -> dict[int, BatchMember]:
        return self._db.batch_members.setdefault(batch_id, {})

    def add(self, batch: Batch) -> int:
        """Insert; sets the id."""
        batch.id = self._db.next_id("batches")
        self._db.batches[batch.id] = copy.deepcopy(batch)
        self._db.batch_members[batch.id] = {}
        return batch.id

    def get(self, batch_id: int) -> Batch:
        """A copy of the batch (no locking: fakes are single-threaded)."""
        if batch_id not in self._db.batches:
            raise NotFound(f"batch {batch_id} does not exist")
        return copy.deepcopy(self._db.batches[batch_id])

    def update(self, batch: Batch) -> None:
        """Replace the stored batch."""
        if batch.id not in self._db.batches:
            raise NotFound(f"batch {batch.id} does not exist")
        self._db.batches[batch.id] = copy.deepcopy(batch)

    def list(self, kind: BatchKind, limit: int, after: TimePosition | None = None) -> list[Batch]:
        """Newest (created time, then id) first; after ``after`` when given."""
        found = sorted(
            (b for b in self._db.batches.values() if b.kind is kind), key=TimePosition.after, reverse=True
        )
        if after is not None:
            found = [b for b in found if TimePosition.after(b) < after]
        return [copy.deepcopy(b) for b in found[: max(limit, 0)]]

    def counts(self, batch_ids: Sequence[int]) -> dict[int, MemberCounts]:
        """Members per status."""
        result = {}
        for batch_id in batch_ids:
            tally: dict[str, int] = {}
            for member in self._members(batch_id).values():
                tally[member.status.value] = tally.get(member.status.value, 0) + 1
            result[batch_id] = MemberCounts.of(tally)
        return result

    def add_members(self, batch_id: int, customer_ids: Sequence[int], now: datetime) -> int:
        """Add new pending members; existing ones are left alone."""
        members = self._members(batch_id)
        added = 0
        for customer_id in customer_ids:
            if customer_id not in members:
                members[customer_id] = BatchMember(customer_id, updated_at=now)
                added += 1
        return added

    def remove_members(self, batch_id: int, customer_ids: Sequence[int]) -> int:
        """Remove members not placed."""
        members = self._members(batch_id)
        removed = 0
        for customer_id in set(customer_ids):
            member = members.get(customer_id)
            if member is not None and member.status is not MemberStatus.PLACED:
                del members[customer_id]
                removed += 1
        return removed

    def targets(self, batch_id: int, statuses: Iterable[str]) -> list[MemberTarget]:
        """Members in the statuses, with their customer's status, pickup wish and type."""
        wanted = {str(s) for s in statuses}
        found = []
        for member in self._members(batch_id).values():
            if member.status.value not in wanted:
                continue
            customer = self._db.customers[member.customer_id]
            found.append(
                MemberTarget(
                    member.customer_id,
                    member.status,
                    customer.status.value,
                    customer.preferred_pickup,
                    customer.type_code,
                    member.updated_at,
                )
            )
        return found

    def record(self, batch_id: int, results: Sequence[MemberResult], now: datetime) -> None:
        """Replace each member's status."""
        members = self._members(batch_id)
        for result in results:
            if result.customer_id in members:
                members[result.customer_id] = BatchMember(
                    result.customer_id, result.status, result.order_id, result.reason, now
                )

    def members(
        self,
        batch_id: int,
        statuses: Iterable[str] | None = None,
        limit: int = 100,
        after_customer: int | None = None,
    ) -> list[MemberRow]:
        """A page of members with customer and order details, after ``after_customer``."""
        wanted = None if statuses is None else {str(s) for s in statuses}
        rows = []
        members = list(self._members(batch_id).values())
        if after_customer is not None:
            at = next((i for i, m in enumerate(members) if m.customer_id == after_customer), len(members))
            members = members[at + 1 :]
        for member in members:
            if wanted is not None and member.status.value not in wanted:
                continue
            customer = self._db.customers[member.customer_id]
            order = self._db.orders.get(member.order_id) if member.order_id else None
            rows.append(
                MemberRow(
                    customer_id=member.customer_id,
                    customer_number=customer.number,
                    customer_name=customer.display_name,
                    customer_status=customer.status.value,
                    status=member.status,
                    order_id=member.order_id,
                    order_number=order.number if order else None,
                    order_total_cents=to_cents(order.total) if order else None,
                    reason=member.reason,
                    email=customer.email,
                )
            )
        return rows[:limit]

    def find_customers(self, numbers: Iterable[str], emails: Iterable[str]) -> dict[str, int]:
        """Exact number (upper) or email (lower) matches."""
        wanted_numbers = {n.strip().upper() for n in numbers}
        wanted_emails = {e.strip().lower() for e in emails}
        found: dict[str, int] = {}
        for customer in sorted(self._db.customers.values(), key=lambda c: c.number):
            if customer.number in wanted_numbers and customer.id is not None:
                found[customer.number] = customer.id
            email = customer.email.strip().lower()
            if email and email in wanted_emails and customer.id is not None:
                found.setdefault(email, customer.id)
        return found
