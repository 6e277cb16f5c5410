"""A customer's story on SQLAlchemy Core: orders, shipments, returns, notes and mail, newest first,
by keyset.

Each kind is read by its own index (``ix_orders_customer_story``, ``ix_shipments_customer_story``,
``ix_returns_customer``, ``ix_call_notes_customer``, ``ix_outbox_customer_story``), at most one
page of each, older than the position the last page ended at; the page is the newest of them. A
customer with thousands of orders costs a page, never the whole history.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true

from oms_core.domain.money import format_money, from_cents
from oms_core.domain.orders import OrderStatus
from oms_core.domain.returns import RefundStatus, ReturnReason
from oms_core.ports import StoryRepository
from oms_core.read_models import StoryEvent, StoryKind, StoryPosition
from oms_core.storage._common import Repository
from oms_core.storage.tables import call_notes, orders, outbox, refunds, return_lines, returns, shipments

o, s, n, m = orders.c, shipments.c, call_notes.c, outbox.c
r, rl, rf = returns.c, return_lines.c, refunds.c


_AFTER = {"customer_id": bindparam("customer_id"), "at": bindparam("after_at"), "id": bindparam("after_id")}


def _older(at: Any, row_id: Any, kind: StoryKind, after_rank: int | None) -> ColumnElement[bool]:
    """Rows of ``kind`` after the position (bound as ``after_at``/``after_id``, its kind's rank
    ``after_rank``) in the story's order: time, then kind, then id, newest first.
    """
    if after_rank is None:
        return true()
    if kind.rank > after_rank:
        return at < _AFTER["at"]
    if kind.rank < after_rank:
        return at <= _AFTER["at"]
    return or_(at < _AFTER["at"], and_(at == _AFTER["at"], row_id < _AFTER["id"]))


@functools.lru_cache(maxsize=64)
def _statement(kind: StoryKind, after_rank: int | None, limit: int) -> Select[Any]:
    """The statement reading one kind's page, built once per shape (the values are bound)."""
    customer = _AFTER["customer_id"]
    if kind is StoryKind.ORDER:
        query = select(o.id, o.number, o.status, o.placed_at, o.total_cents, o.held).where(
            o.customer_id == customer,
            o.placed_at.is_not(None),
            o.status != OrderStatus.DRAFT.value,
            _older(o.placed_at, o.id, kind, after_rank),
        )
        order = (o.placed_at.desc(), o.id.desc())
    elif kind is StoryKind.SHIPMENT:
        # By the customer copied onto the shipment (migration 0018); the join only names the order.
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
            .where(s.customer_id == customer, _older(s.shipped_at, s.id, kind, after_rank))
        )
        order = (s.shipped_at.desc(), s.id.desc())
    elif kind is StoryKind.RETURN:
        query = (
            select(
                r.id,
                r.order_id,
                o.number,
                r.reason,
                r.created_at,
                r.exchange_order_id,
                _per_return(func.sum(rl.quantity), rl.return_id).label("units"),
                _refunds(RefundStatus.REFUNDED, func.sum(rf.amount_cents)).label("refunded_cents"),
                _refunds(RefundStatus.PENDING, func.count()).label("pending"),
                _refunds(RefundStatus.FAILED, func.count()).label("failed"),
            )
            .select_from(returns.join(orders, o.id == r.order_id))
            .where(r.customer_id == customer, _older(r.created_at, r.id, kind, after_rank))
        )
        order = (r.created_at.desc(), r.id.desc())
    elif kind is StoryKind.NOTE:
        query = (
            select(n.id, n.order_id, o.number, n.author, n.at, n.text)
            .select_from(call_notes.outerjoin(orders, o.id == n.order_id))
            .where(n.customer_id == customer, _older(n.at, n.id, kind, after_rank))
        )
        order = (n.at.desc(), n.id.desc())
    else:
        query = (
            select(m.id, m.order_id, o.number, m.subject, m.to_address, m.status, m.created_at, m.last_error)
            .select_from(outbox.outerjoin(orders, o.id == m.order_id))
            .where(m.customer_id == customer, _older(m.created_at, m.id, kind, after_rank))
        )
        order = (m.created_at.desc(), m.id.desc())
    return query.order_by(*order).limit(limit)


def _per_return(aggregate: Any, return_id: Any) -> Any:
    """A correlated sub-select of one return's rows (a page is at most ``limit`` returns)."""
    return select(aggregate).where(return_id == r.id).scalar_subquery()


def _refunds(status: RefundStatus, aggregate: Any) -> Any:
    """``aggregate`` over the return's refunds in ``status``."""
    return select(aggregate).where(rf.return_id == r.id, rf.status == status.value).scalar_subquery()


class SqlStoryRepository(Repository, StoryRepository):
    """The customer's story, one page at a time."""

    def page(self, customer_id: int, limit: int, after: StoryPosition | None = None) -> list[StoryEvent]:
        """The ``limit`` newest events older than ``after``, newest first."""
        params: dict[str, Any] = {"customer_id": customer_id}
        if after is not None:
            params |= {"after_at": after.at, "after_id": after.id}
        rank = after.rank if after is not None else None
        events: list[StoryEvent] = []
        for kind, build in (
            (StoryKind.ORDER, _order_event),
            (StoryKind.SHIPMENT, _shipment_event),
            (StoryKind.RETURN, _return_event),
            (StoryKind.NOTE, _note_event),
            (StoryKind.MAIL, _mail_event),
        ):
            events += [build(row) for row in self._conn.execute(_statement(kind, rank, limit), params)]
        events.sort(key=lambda e: (e.at, e.kind.rank, e.id), reverse=True)
        return events[:limit]


def _order_event(row: Any) -> StoryEvent:
    return StoryEvent(
        row.placed_at,
        StoryKind.ORDER,
        row.id,
        row.id,
        row.number,
        f"placed, {format_money(from_cents(row.total_cents))}",
        OrderStatus(row.status).label + (", on hold" if row.held else ""),
    )


def _shipment_event(row: Any) -> StoryEvent:
    return StoryEvent(
        row.shipped_at,
        StoryKind.SHIPMENT,
        row.id,
        row.order_id,
        row.number,
        " ".join(part for part in (row.carrier, row.service, row.tracking_number) if part),
        "delivered" if row.delivered_at is not None else "in transit",
    )


def _return_event(row: Any) -> StoryEvent:
    units = row.units or 0
    summary = f"RMA-{row.id} {ReturnReason(row.reason).label}, {units} unit{'' if units == 1 else 's'}"
    if row.exchange_order_id is not None:
        summary += ", exchanged"
    return StoryEvent(
        row.created_at, StoryKind.RETURN, row.id, row.order_id, row.number, summary, _refund_state(row)
    )


def _refund_state(row: Any) -> str:
    """Where the return's money stands: refunded (how much), pending, failed, or none."""
    parts = []
    if row.refunded_cents:
        parts.append(f"refunded {format_money(from_cents(row.refunded_cents))}")
    if row.pending:
        parts.append("refund pending")
    if row.failed:
        parts.append("refund failed")
    return ", ".join(parts) or "no refund"


def _note_event(row: Any) -> StoryEvent:
    return StoryEvent(row.at, StoryKind.NOTE, row.id, row.order_id, row.number, f"{row.author}: {row.text}")


def _mail_event(row: Any) -> StoryEvent:
    return StoryEvent(
        row.created_at,
        StoryKind.MAIL,
        row.id,
        row.order_id,
        row.number,
        f"{row.subject} (to {row.to_address})",
        _mail_state(row.status, row.last_error),
    )


def _mail_state(status: str, error: str) -> str:
    if status == "failed":
        return f"failed: {error}" if error else "failed"
    if status in ("pending", "sending"):
        return f"queued (last try: {error})" if error else "queued"
    return status
