"""Gateway calls on SQLAlchemy Core (see ``oms_core.domain.gateway_calls``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from oms_core.domain.errors import DatabaseError, NotFound, StaleEdit
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus, GatewayCall
from oms_core.domain.money import money
from oms_core.ports import GatewayCallRepository
from oms_core.storage._common import Repository, chunks
from oms_core.storage.loading import insert_tuples, reserve_ids, update_tuples
from oms_core.storage.tables import gateway_calls

g = gateway_calls.c
_ROW_COLUMNS = (
    "idempotency_key", "base_key", "action", "status", "purpose", "amount_cents", "order_id", "batch_key",
    "token", "brand", "last4", "reference", "reason", "code", "holds_json", "draft_version", "owner",
    "operator", "updated_at",
)  # fmt: skip
_INSERT_COLUMNS = ("id", *_ROW_COLUMNS, "created_at")
_SETTLED_COLUMNS = ("status", "reference", "reason", "code", "owner", "holds_json", "order_id", "updated_at")


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
        """The calls of many payments, a safe number of keys per statement."""
        found: dict[str, list[GatewayCall]] = {}
        for part in chunks(sorted(set(base_keys))):
            for call in self._select(self._among(g.base_key, part)):
                found.setdefault(call.base_key, []).append(call)
        return found

    def add_many(self, calls: Sequence[GatewayCall]) -> None:
        """Insert many calls as plain tuples with their ids reserved first (nothing read back).

        Raises:
            StaleEdit: one of the keys is taken (the caller's transaction is spoilt; roll back).
        """
        if not calls:
            return
        now = self._clock.now()
        ids = reserve_ids(self._conn, gateway_calls, len(calls))

        def rows() -> Iterator[tuple[Any, ...]]:
            # Made as they are sent: on PostgreSQL the server inserts the first rows while the
            # next are made (insert_tuples).
            for call, call_id in zip(calls, ids, strict=True):
                call.created_at = call.created_at or now
                call.updated_at = call.updated_at or call.created_at
                row = self._row(call)
                yield (call_id, *(row[name] for name in _ROW_COLUMNS), call.created_at)

        try:
            insert_tuples(self._conn, gateway_calls, _INSERT_COLUMNS, rows(), ids_reserved=True)
        except DatabaseError as exc:
            if isinstance(exc.__cause__, self._conn.dialect.loaded_dbapi.IntegrityError):
                raise StaleEdit("a payment of this batch is already under way") from None
            raise
        for call, call_id in zip(calls, ids, strict=True):
            call.id = call_id

    def settle_many(self, calls: Sequence[GatewayCall], expected: CallStatus, expected_owner: str) -> int:
        """One guarded update for them all (:func:`update_tuples`), guarded like :meth:`settle`."""
        if not calls:
            return 0
        now = self._clock.now()
        rows = []
        for call in calls:
            call.updated_at = now
            row = self._row(call)
            rows.append((call.id, *(row[name] for name in _SETTLED_COLUMNS[:-1]), now))
        return update_tuples(
            self._conn,
            gateway_calls,
            "id",
            _SETTLED_COLUMNS,
            rows,
            guards={"status": expected.value, "owner": expected_owner},
        )

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
