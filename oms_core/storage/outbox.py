"""The mail outbox on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update

from oms_core.domain.mail import MailKind, MailMessage, MailStatus, OutboxEntry
from oms_core.ports import OutboxRepository
from oms_core.storage._common import Repository
from oms_core.storage.tables import outbox

o = outbox.c


class SqlOutboxRepository(Repository, OutboxRepository):
    """Queued mail; claiming skips rows another sender has locked (PostgreSQL ``SKIP LOCKED``;
    SQLite's write lock already lets one sender claim at a time).
    """

    def add(self, message: MailMessage, now: datetime) -> int:
        """Queue ``message``, due at once."""
        result = self._conn.execute(
            insert(outbox)
            .values(
                kind=message.kind.value,
                to_address=message.to,
                subject=message.subject,
                body=message.body,
                order_id=message.order_id,
                customer_id=message.customer_id,
                status=MailStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
            .returning(o.id)
        )
        return int(result.scalar_one())

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Claim the oldest due messages for one sender (see the port)."""
        due = (
            select(o.id)
            .where(
                or_(o.status == MailStatus.PENDING.value, o.status == MailStatus.SENDING.value),
                o.next_attempt_at <= now,
            )
            .order_by(o.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = [row.id for row in self._conn.execute(due)]
        if not ids:
            return []
        self._conn.execute(
            update(outbox)
            .where(o.id.in_(ids))
            .values(status=MailStatus.SENDING.value, attempts=o.attempts + 1, next_attempt_at=lease_until)
        )
        return self._entries(o.id.in_(ids), o.id)

    def mark_sent(self, entry_id: int, now: datetime) -> None:
        """Record the server's acceptance."""
        self._conn.execute(
            update(outbox)
            .where(o.id == entry_id)
            .values(status=MailStatus.SENT.value, sent_at=now, last_error="")
        )

    def mark_failed(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        """Queue again for ``retry_at``, or mark failed for good."""
        values: dict[str, Any] = {"last_error": error[:2000]}
        if retry_at is None:
            values["status"] = MailStatus.FAILED.value
        else:
            values.update(status=MailStatus.PENDING.value, next_attempt_at=retry_at)
        self._conn.execute(update(outbox).where(o.id == entry_id).values(**values))

    def for_order(self, order_id: int) -> list[OutboxEntry]:
        """An order's messages, oldest first."""
        return self._entries(o.order_id == order_id, o.id)

    def for_customer(self, customer_id: int, limit: int) -> list[OutboxEntry]:
        """A customer's latest messages."""
        return self._entries(o.customer_id == customer_id, o.id.desc(), limit)

    def counts(self) -> dict[MailStatus, int]:
        """Messages per status."""
        rows = self._conn.execute(select(o.status, func.count()).group_by(o.status))
        found = {MailStatus(status): int(count) for status, count in rows}
        return {status: found.get(status, 0) for status in MailStatus}

    def _entries(self, condition: Any, order: Any, limit: int | None = None) -> list[OutboxEntry]:
        query = select(outbox).where(condition).order_by(order)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(row) for row in self._conn.execute(query)]


def _entry(row: Any) -> OutboxEntry:
    message = MailMessage(
        kind=MailKind(row.kind),
        to=row.to_address,
        subject=row.subject,
        body=row.body,
        order_id=row.order_id,
        customer_id=row.customer_id,
    )
    return OutboxEntry(
        id=row.id,
        message=message,
        status=MailStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )
