"""The append-only audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from oms_core.domain.audit import AuditEvent
from oms_core.ports import AuditRepository
from oms_core.storage._common import Repository
from oms_core.storage.loading import insert_tuples
from oms_core.storage.tables import audit_events

a = audit_events.c


EVENT_COLUMNS = ("order_id", "customer_id", "operator", "action", "detail", "at")
"""The columns of :func:`event_row`, for a bulk load through ``insert_tuples``."""


def event_row(event: AuditEvent, order_id: int | None = None) -> tuple[Any, ...]:
    """The event's values in :data:`EVENT_COLUMNS` order (``order_id`` instead of the event's own)."""
    return (
        event.order_id if order_id is None else order_id,
        event.customer_id,
        event.operator,
        event.action,
        event.detail,
        event.at,
    )


def _values(event: AuditEvent) -> dict[str, Any]:
    return dict(zip(EVENT_COLUMNS, event_row(event), strict=True))


class SqlAuditRepository(Repository, AuditRepository):
    """Audit events on SQLAlchemy Core."""

    def add(self, event: AuditEvent) -> None:
        """Record one event."""
        self._conn.execute(insert(audit_events).values(_values(event)))

    def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Record many events with one ``executemany`` of plain tuples (batch jobs add thousands)."""
        if events:
            # A generator: on PostgreSQL each row is sent as it is made (insert_tuples).
            insert_tuples(self._conn, audit_events, EVENT_COLUMNS, (event_row(event) for event in events))

    def for_order(self, order_id: int) -> list[AuditEvent]:
        """An order's events, oldest first."""
        rows = self._conn.execute(select(audit_events).where(a.order_id == order_id).order_by(a.at, a.id))
        return [
            AuditEvent(
                order_id=row.order_id,
                operator=row.operator,
                action=row.action,
                detail=row.detail,
                at=row.at,
                customer_id=row.customer_id,
            )
            for row in rows
        ]
