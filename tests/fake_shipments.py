"""The in-memory releases and shipments used by ``tests.fakes.FakeUnitOfWork``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from oms_core.domain.fulfilment import Shipment
from oms_core.ports import ShipmentRepository

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class FakeShipmentRepository(ShipmentRepository):
    """Releases (``FakeStore.releases``) and shipments (``FakeStore.shipments``) in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data

    def release(self, order_id: int, at: datetime, by: str) -> None:
        """Record the release."""
        self._db.releases[order_id] = (at, by)

    def released(
        self, since: datetime | None, until: datetime | None, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[datetime, int]]:
        """A page of releases, oldest first."""
        pairs = sorted((at, order_id) for order_id, (at, _) in self._db.releases.items())
        pairs = [
            p
            for p in pairs
            if (since is None or p[0] >= since)
            and (until is None or p[0] < until)
            and (after is None or p > after)
        ]
        return pairs[:limit]

    def add(self, shipment: Shipment) -> int:
        """Store a shipment."""
        shipment_id = self._db.next_id("shipments")
        self._db.shipments[shipment_id] = replace(shipment, id=shipment_id)
        return shipment_id

    def for_order(self, order_id: int) -> list[Shipment]:
        """The order's shipments, oldest first."""
        return [s for _, s in sorted(self._db.shipments.items()) if s.order_id == order_id]

    def set_capture(self, shipment_id: int, capture: str) -> None:
        """Record the capture outcome."""
        self._db.shipments[shipment_id] = replace(self._db.shipments[shipment_id], capture=capture)

    def mark_delivered(self, order_id: int, at: datetime) -> int:
        """Stamp undelivered shipments."""
        count = 0
        for shipment_id, shipment in self._db.shipments.items():
            if shipment.order_id == order_id and shipment.delivered_at is None:
                self._db.shipments[shipment_id] = replace(shipment, delivered_at=at)
                count += 1
        return count
