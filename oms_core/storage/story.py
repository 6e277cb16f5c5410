"""A customer's story on SQLAlchemy Core: orders, shipments, notes and mail, newest first, by keyset.

Each kind is read by its own index (``ix_orders_customer_story``, the shipments of those orders,
``ix_call_notes_customer``, ``ix_outbox_customer_story``), at most one page of each, older than the
position the last page ended at; the page is the newest of them. A customer with thousands of
orders costs a page, never the whole history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from oms_core.domain.money import format_money, from_cents
from oms_core.domain.orders import OrderStatus
from oms_core.ports import StoryRepository
from oms_core.read_models import StoryEvent, StoryKind, StoryPosition
from oms_core.storage._common import Repository
from oms_core.storage.tables import call_notes, orders, outbox, shipments

o, s, n, m = orders.c, shipments.c, call_notes.c, outbox.c


def _older(at: Any, row_id: Any, kind: StoryKind, after: StoryPosition | None) -> ColumnElement[bool]:
    """Rows of ``kind`` that come after ``after`` in the story's order (time, kind, id; newest first)."""
    if after is None:
        return and_(True)
    if kind.rank > after.rank:
        return at < after.at
    if kind.rank < after.rank:
        return at <= after.at
    return or_(at < after.at, and_(at == after.at, row_id < after.id))


class SqlStoryRepository(Repository, StoryRepository):
    """The customer's story, one page at a time."""

    def page(self, customer_id: int, limit: int, after: StoryPosition | None = None) -> list[StoryEvent]:
        """The ``limit`` newest events older than ``after``, newest first."""
        events = [
            *self._orders(customer_id, limit, after),
            *self._shipments(customer_id, limit, after),
            *self._notes(customer_id, limit, after),
            *self._mail(customer_id, limit, after),
        ]
        events.sort(key=lambda e: (e.at, e.kind.rank, e.id), reverse=True)
        return events[:limit]

    def _orders(self, customer_id: int, limit: int, after: StoryPosition | None) -> list[StoryEvent]:
        query = (
            select(o.id, o.number, o.status, o.placed_at, o.total_cents, o.held)
            .where(
                o.customer_id == customer_id,
                o.placed_at.is_not(None),
                o.status != OrderStatus.DRAFT.value,
                _older(o.placed_at, o.id, StoryKind.ORDER, after),
            )
            .order_by(o.placed_at.desc(), o.id.desc())
            .limit(limit)
        )
        return [
            StoryEvent(
                row.placed_at,
                StoryKind.ORDER,
                row.id,
                row.id,
                row.number,
                f"placed, {format_money(from_cents(row.total_cents))}",
                OrderStatus(row.status).label + (", on hold" if row.held else ""),
            )
            for row in self._conn.execute(query)
        ]

    def _shipments(self, customer_id: int, limit: int, after: StoryPosition | None) -> list[StoryEvent]:
        query = (
            select(
                s.id,
                s.order_id,
                o.number,
                s.carrier,
                s.service,
                s.tracking_number,
                s.shipped_at,
                s.delivered_at,
            )
            .select_from(shipments.join(orders, o.id == s.order_id))
            .where(o.customer_id == customer_id, _older(s.shipped_at, s.id, StoryKind.SHIPMENT, after))
            .order_by(s.shipped_at.desc(), s.id.desc())
            .limit(limit)
        )
        return [
            StoryEvent(
                row.shipped_at,
                StoryKind.SHIPMENT,
                row.id,
                row.order_id,
                row.number,
                " ".join(part for part in (row.carrier, row.service, row.tracking_number) if part),
                "delivered" if row.delivered_at is not None else "in transit",
            )
            for row in self._conn.execute(query)
        ]

    def _notes(self, customer_id: int, limit: int, after: StoryPosition | None) -> list[StoryEvent]:
        query = (
            select(n.id, n.order_id, o.number, n.author, n.at, n.text)
            .select_from(call_notes.outerjoin(orders, o.id == n.order_id))
            .where(n.customer_id == customer_id, _older(n.at, n.id, StoryKind.NOTE, after))
            .order_by(n.at.desc(), n.id.desc())
            .limit(limit)
        )
        return [
            StoryEvent(row.at, StoryKind.NOTE, row.id, row.order_id, row.number, f"{row.author}: {row.text}")
            for row in self._conn.execute(query)
        ]

    def _mail(self, customer_id: int, limit: int, after: StoryPosition | None) -> list[StoryEvent]:
        query = (
            select(m.id, m.order_id, o.number, m.subject, m.to_address, m.status, m.created_at, m.last_error)
            .select_from(outbox.outerjoin(orders, o.id == m.order_id))
            .where(m.customer_id == customer_id, _older(m.created_at, m.id, StoryKind.MAIL, after))
            .order_by(m.created_at.desc(), m.id.desc())
            .limit(limit)
        )
        return [
            StoryEvent(
                row.created_at,
                StoryKind.MAIL,
                row.id,
                row.order_id,
                row.number,
                f"{row.subject} (to {row.to_address})",
                _mail_state(row.status, row.last_error),
            )
            for row in self._conn.execute(query)
        ]


def _mail_state(status: str, error: str) -> str:
    if status == "failed":
        return f"failed: {error}" if error else "failed"
    if status in ("pending", "sending"):
        return f"queued (last try: {error})" if error else "queued"
    return status
