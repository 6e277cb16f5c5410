"""Gateway calls on SQLAlchemy Core (see ``oms_core.domain.gateway_calls``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from oms_core.domain.errors import NotFound, StaleEdit
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus, GatewayCall
from oms_core.domain.money import money
from oms_core.ports import GatewayCallRepository
from oms_core.storage._common import Repository, chunks
from oms_core.storage.tables import gateway_calls

g = gateway_calls.c


class SqlGatewayCallRepository(Repository, GatewayCallRepository):
    """Gateway calls; settling is a guarded update, so two processes never both finish one call."""

    def add(self, call: GatewayCall) -> int:
        """Record a call (its key must be new)."""
        now = call.created_at or self._clock.now()
        call.created_at = now
        call.updated_at = call.updated_at or now
        try:
            # A taken key fails the statement (and so the caller's transaction), which is what
            # should happen: two processes never both ask the gateway under one key.
            result = self._conn.execute(
                insert(gateway_calls).values(**self._row(call), created_at=now).returning(g.id)
            )
        except IntegrityError:
            raise StaleEdit(f"a payment with key {call.key} is already under way") from None
        call.id = int(result.scalar_one())
        return call.id

    def get(self, call_id: int) -> GatewayCall:
        """One call."""
        calls = self._select(g.id == call_id)
        if not calls:
            raise NotFound(f"gateway call {call_id} not found")
        return calls[0]

    def with_base(self, base_key: str) -> list[GatewayCall]:
        """The calls of one payment, oldest first."""
        return self._select(g.base_key == base_key)

    def settle(self, call: GatewayCall, expected: CallStatus, expected_owner: str) -> bool:
        """Guarded update: only if still ``expected`` and owned by ``expected_owner``."""
        call.updated_at = self._clock.now()
        row = self._row(call)
        result = self._conn.execute(
            update(gateway_calls)
            .where(g.id == call.id, g.status == expected.value, g.owner == expected_owner)
            .values(
                status=row["status"],
                reference=row["reference"],
                reason=row["reason"],
                code=row["code"],
                owner=row["owner"],
                holds_json=row["holds_json"],
                order_id=row["order_id"],
                updated_at=call.updated_at,
            )
        )
        return result.rowcount == 1

    def with_bases(self, base_keys: Sequence[str]) -> dict[str, list[GatewayCall]]:
        """The calls of many payments, in ``IN`` lists of a safe size."""
        found: dict[str, list[GatewayCall]] = {}
        for part in chunks(sorted(set(base_keys))):
            for call in self._select(g.base_key.in_(part)):
                found.setdefault(call.base_key, []).append(call)
        return found

    def add_many(self, calls: Sequence[GatewayCall]) -> None:
        """One multi-row INSERT per few hundred calls, ids read back in order."""
        if not calls:
            return
        now = self._clock.now()
        rows = []
        for call in calls:
            call.created_at = call.created_at or now
            call.updated_at = call.updated_at or call.created_at
            rows.append({**self._row(call), "created_at": call.created_at})
        try:
            result = self._conn.execute(
                insert(gateway_calls).returning(g.id, sort_by_parameter_order=True), rows
            )
        except IntegrityError:
            raise StaleEdit("a payment of this batch is already under way") from None
        for call, row_id in zip(calls, result.scalars().all(), strict=True):
            call.id = int(row_id)

    def settle_many(self, calls: Sequence[GatewayCall], expected: CallStatus, expected_owner: str) -> int:
        """One executemany UPDATE, guarded like :meth:`settle`."""
        if not calls:
            return 0
        now = self._clock.now()
        rows = []
        for call in calls:
            call.updated_at = now
            row = self._row(call)
            rows.append(
                {
                    "b_id": call.id,
                    "b_status": row["status"],
                    "b_reference": row["reference"],
                    "b_reason": row["reason"],
                    "b_code": row["code"],
                    "b_owner": row["owner"],
                    "b_holds": row["holds_json"],
                    "b_order_id": row["order_id"],
                    "b_updated_at": now,
                }
            )
        statement = (
            update(gateway_calls)
            .where(g.id == bindparam("b_id"), g.status == expected.value, g.owner == expected_owner)
            .values(
                status=bindparam("b_status"),
                reference=bindparam("b_reference"),
                reason=bindparam("b_reason"),
                code=bindparam("b_code"),
                owner=bindparam("b_owner"),
                holds_json=bindparam("b_holds"),
                order_id=bindparam("b_order_id"),
                updated_at=bindparam("b_updated_at"),
            )
        )
        return int(self._conn.execute(statement, rows).rowcount)

    def unsettled(self) -> list[GatewayCall]:
        """Pending or unanswered calls."""
        return self._select(or_(g.status == CallStatus.PENDING.value, g.status == CallStatus.UNKNOWN.value))

    def for_order(self, order_id: int) -> list[GatewayCall]:
        """An order's payment history."""
        return self._select(g.order_id == order_id)

    def _select(self, condition: Any) -> list[GatewayCall]:
        rows = self._conn.execute(select(gateway_calls).where(condition).order_by(g.id))
        return [_call(row) for row in rows]

    @staticmethod
    def _row(call: GatewayCall) -> dict[str, Any]:
        return {
            "idempotency_key": call.key,
            "base_key": call.base_key,
            "action": call.action.value,
            "status": call.status.value,
            "purpose": call.purpose.value,
            "amount_cents": int((call.amount * 100).to_integral_value()),
            "order_id": call.order_id,
            "batch_key": call.batch_key,
            "token": call.token,
            "brand": call.brand,
            "last4": call.last4,
            "reference": call.reference,
            "reason": call.reason[:2000],
            "code": call.code[:60],
            "holds_json": json.dumps([list(h) for h in call.holds]),
            "draft_version": call.draft_version,
            "owner": call.owner,
            "operator": call.operator,
            "updated_at": call.updated_at,
        }


def _call(row: Any) -> GatewayCall:
    return GatewayCall(
        id=row.id,
        base_key=row.base_key,
        action=CallAction(row.action),
        key=row.idempotency_key,
        status=CallStatus(row.status),
        amount=money(Decimal(row.amount_cents) / 100),
        purpose=CallPurpose(row.purpose),
        order_id=row.order_id,
        batch_key=row.batch_key,
        token=row.token,
        brand=row.brand,
        last4=row.last4,
        reference=row.reference,
        reason=row.reason,
        code=row.code,
        holds=tuple((int(p), int(q)) for p, q in json.loads(row.holds_json)),
        draft_version=row.draft_version,
        owner=row.owner,
        operator=row.operator,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
