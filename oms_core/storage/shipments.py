"""Releases and shipments on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update

from oms_core.domain.fulfilment import Shipment, ShipmentLine
from oms_core.ports import ShipmentRepository
from oms_core.storage._common import Repository
from oms_core.storage.tables import order_releases, orders, shipment_lines, shipments

r = order_releases.c
s = shipments.c
sl = shipment_lines.c


class SqlShipmentRepository(Repository, ShipmentRepository):
    """Releases and shipments; the caller holds the order's row lock while it writes them."""

    def release(self, order_id: int, at: datetime, by: str) -> None:
        """Record the release."""
        self._conn.execute(insert(order_releases).values(order_id=order_id, released_at=at, released_by=by))

    def released(
        self, since: datetime | None, until: datetime | None, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[datetime, int]]:
        """A page of releases, oldest first (index ``ix_order_releases_released_at``)."""
        query = select(r.released_at, r.order_id)
        if since is not None:
            query = query.where(r.released_at >= since)
        if until is not None:
            query = query.where(r.released_at < until)
        if after is not None:
            at, order_id = after
            # Spelled out rather than a row-value comparison so SQLite and PostgreSQL plan it alike.
            query = query.where(or_(r.released_at > at, and_(r.released_at == at, r.order_id > order_id)))
        query = query.order_by(r.released_at, r.order_id).limit(limit)
        return [(row.released_at, row.order_id) for row in self._conn.execute(query)]

    def add(self, shipment: Shipment) -> int:
        """Store the shipment, then its lines."""
        shipment_id = self._conn.execute(
            insert(shipments)
            .values(
                order_id=shipment.order_id,
                customer_id=select(orders.c.customer_id)
                .where(orders.c.id == shipment.order_id)
                .scalar_subquery(),
                carrier=shipment.carrier,
                service=shipment.service,
                tracking_number=shipment.tracking_number,
                shipped_at=shipment.shipped_at,
                recorded_by=shipment.recorded_by,
                delivered_at=shipment.delivered_at,
                capture=shipment.capture,
            )
            .returning(s.id)
        ).scalar_one()
        self._conn.execute(
            insert(shipment_lines),
            [
                {
                    "shipment_id": shipment_id,
                    "order_line_id": line.order_line_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                }
                for line in shipment.lines
            ],
        )
        return int(shipment_id)

    def for_order(self, order_id: int) -> list[Shipment]:
        """The order's shipments with their lines, oldest first."""
        rows = list(self._conn.execute(select(shipments).where(s.order_id == order_id).order_by(s.id)))
        if not rows:
            return []
        lines: dict[int, list[ShipmentLine]] = {row.id: [] for row in rows}
        for line in self._conn.execute(
            select(shipment_lines).where(sl.shipment_id.in_(list(lines))).order_by(sl.shipment_id, sl.id)
        ):
            lines[line.shipment_id].append(ShipmentLine(line.order_line_id, line.sku, line.quantity))
        return [_shipment(row, tuple(lines[row.id])) for row in rows]

    def set_capture(self, shipment_id: int, capture: str) -> None:
        """Record the capture's outcome."""
        self._conn.execute(update(shipments).where(s.id == shipment_id).values(capture=capture))

    def mark_delivered(self, order_id: int, at: datetime) -> int:
        """Stamp the undelivered shipments."""
        result = self._conn.execute(
            update(shipments).where(s.order_id == order_id, s.delivered_at.is_(None)).values(delivered_at=at)
        )
        return int(result.rowcount or 0)


def _shipment(row: Any, lines: tuple[ShipmentLine, ...]) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        carrier=row.carrier,
        service=row.service,
        tracking_number=row.tracking_number,
        shipped_at=row.shipped_at,
        lines=lines,
        recorded_by=row.recorded_by,
        delivered_at=row.delivered_at,
        capture=row.capture,
    )
