"""The in-memory outbox used by ``tests.fakes.FakeUnitOfWork``: entries live in ``FakeStore.outbox``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from oms_core.domain.mail import MailMessage, MailStatus, OutboxEntry
from oms_core.ports import OutboxRepository

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class FakeOutboxRepository(OutboxRepository):
    """Queued mail in memory (entries are frozen and replaced on every change)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data

    def add(self, message: MailMessage, now: datetime) -> int:
        """Queue a message, due now."""
        entry_id = self._db.next_id("outbox")
        self._db.outbox[entry_id] = OutboxEntry(entry_id, message, MailStatus.PENDING, 0, now, "", now)
        return entry_id

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Claim the oldest due entries."""
        due = [
            e
            for e in sorted(self._db.outbox.values(), key=lambda e: e.id)
            if e.status in (MailStatus.PENDING, MailStatus.SENDING) and e.next_attempt_at <= now
        ][:limit]
        claimed = []
        for entry in due:
            changed = replace(
                entry, status=MailStatus.SENDING, attempts=entry.attempts + 1, next_attempt_at=lease_until
            )
            self._db.outbox[entry.id] = changed
            claimed.append(changed)
        return claimed

    def mark_sent(self, entry_id: int, now: datetime) -> None:
        """Record acceptance."""
        entry = self._db.outbox[entry_id]
        self._db.outbox[entry_id] = replace(entry, status=MailStatus.SENT, sent_at=now, last_error="")

    def mark_failed(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        """Queue again, or fail for good."""
        entry = self._db.outbox[entry_id]
        if retry_at is None:
            self._db.outbox[entry_id] = replace(entry, status=MailStatus.FAILED, last_error=error)
        else:
            self._db.outbox[entry_id] = replace(
                entry, status=MailStatus.PENDING, next_attempt_at=retry_at, last_error=error
            )

    def for_order(self, order_id: int) -> list[OutboxEntry]:
        """An order's entries, oldest first."""
        return [
            e for e in sorted(self._db.outbox.values(), key=lambda e: e.id) if e.message.order_id == order_id
        ]

    def for_customer(self, customer_id: int, limit: int) -> list[OutboxEntry]:
        """A customer's latest entries."""
        mine = [e for e in self._db.outbox.values() if e.message.customer_id == customer_id]
        return sorted(mine, key=lambda e: e.id, reverse=True)[:limit]

    def counts(self) -> dict[MailStatus, int]:
        """Entries per status."""
        return {s: sum(1 for e in self._db.outbox.values() if e.status is s) for s in MailStatus}
