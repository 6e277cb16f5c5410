"""In-memory gateway calls for ``tests.fakes.FakeUnitOfWork``: rows live in ``FakeStore.gateway_calls``."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from oms_core.domain.errors import NotFound, StaleEdit
from oms_core.domain.gateway_calls import CallStatus, GatewayCall
from oms_core.ports import GatewayCallRepository

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class FakeGatewayCallRepository(GatewayCallRepository):
    """Gateway calls in memory (copies go in and out, as rows would)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data

    def add(self, call: GatewayCall) -> int:
        """Record a call with a new key."""
        if any(c.key == call.key for c in self._db.gateway_calls.values()):
            raise StaleEdit(f"a payment with key {call.key} is already under way")
        call.id = self._db.next_id("gateway_calls")
        call.created_at = call.created_at or datetime.now(UTC)
        call.updated_at = call.updated_at or call.created_at
        self._db.gateway_calls[call.id] = copy.deepcopy(call)
        return call.id

    def get(self, call_id: int) -> GatewayCall:
        """One call."""
        if call_id not in self._db.gateway_calls:
            raise NotFound(f"gateway call {call_id} not found")
        return copy.deepcopy(self._db.gateway_calls[call_id])

    def with_base(self, base_key: str) -> list[GatewayCall]:
        """The calls of one payment, oldest first."""
        return [copy.deepcopy(c) for c in self._sorted() if c.base_key == base_key]

    def settle(self, call: GatewayCall, expected: CallStatus, expected_owner: str) -> bool:
        """Guarded update."""
        stored = self._db.gateway_calls.get(call.id or 0)
        if stored is None or stored.status is not expected or stored.owner != expected_owner:
            return False
        call.updated_at = datetime.now(UTC)
        self._db.gateway_calls[stored.id or 0] = copy.deepcopy(call)
        return True

    def unsettled(self) -> list[GatewayCall]:
        """Pending or unanswered calls."""
        wanted = (CallStatus.PENDING, CallStatus.UNKNOWN)
        return [copy.deepcopy(c) for c in self._sorted() if c.status in wanted]

    def for_order(self, order_id: int) -> list[GatewayCall]:
        """An order's calls."""
        return [copy.deepcopy(c) for c in self._sorted() if c.order_id == order_id]

    def _sorted(self) -> list[GatewayCall]:
        return sorted(self._db.gateway_calls.values(), key=lambda c: c.id or 0)
