"""Returns, refunds and store credit on SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update

from oms_core.domain.errors import NotFound
from oms_core.domain.money import ZERO, from_cents, to_cents
from oms_core.domain.returns import (
    CreditEntry,
    Disposition,
    Refund,
    RefundMethod,
    RefundStatus,
    Return,
    ReturnLine,
    ReturnReason,
)
from oms_core.ports import ReturnRepository, StoreCreditRepository
from oms_core.read_models import TimePosition
from oms_core.storage._common import Repository, chunks
from oms_core.storage.tables import refunds, return_lines, returns, store_credit, store_credit_entries

rt = returns.c
rl = return_lines.c
rf = refunds.c
sc = store_credit.c
se = store_credit_entries.c


class SqlReturnRepository(Repository, ReturnRepository):
    """Returns with their lines, and refunds; written under the order's row lock."""

    def add(self, item: Return) -> int:
        """Store the return, then its lines."""
        return_id = self._conn.execute(
            insert(returns)
            .values(
                order_id=item.order_id,
                customer_id=item.customer_id,
                reason=item.reason.value,
                note=item.note,
                created_at=item.created_at,
                created_by=item.created_by,
                exchange_order_id=item.exchange_order_id,
            )
            .returning(rt.id)
        ).scalar_one()
        self._conn.execute(
            insert(return_lines),
            [
                {
                    "return_id": return_id,
                    "order_line_id": line.order_line_id,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "disposition": line.disposition.value,
                }
                for line in item.lines
            ],
        )
        return int(return_id)

    def get(self, return_id: int) -> Return:
        """One return. Raises ``NotFound``."""
        found = self._returns(select(returns).where(rt.id == return_id))
        if not found:
            raise NotFound(f"no return RMA-{return_id}")
        return found[0]

    def for_order(self, order_id: int) -> list[Return]:
        """The order's returns, oldest first."""
        return self._returns(select(returns).where(rt.order_id == order_id).order_by(rt.id))

    def for_customer(self, customer_id: int, limit: int) -> list[Return]:
        """Newest first, through ``ix_returns_customer``."""
        query = select(returns).where(rt.customer_id == customer_id)
        return self._returns(query.order_by(rt.created_at.desc(), rt.id.desc()).limit(limit))

    def recent(self, since: datetime | None, limit: int, before: TimePosition | None = None) -> list[Return]:
        """Newest first, through ``ix_returns_created``; the page before ``before`` by keyset."""
        query = select(returns)
        if since is not None:
            query = query.where(rt.created_at >= since)
        if before is not None:
            position = tuple_(bindparam("before_at", before.at, type_=rt.created_at.type), before.id)
            query = query.where(tuple_(rt.created_at, rt.id) < position)
        return self._returns(query.order_by(rt.created_at.desc(), rt.id.desc()).limit(limit))

    def set_exchange(self, return_id: int, order_id: int) -> None:
        """Tie the replacement order to the return."""
        self._conn.execute(update(returns).where(rt.id == return_id).values(exchange_order_id=order_id))

    def add_refund(self, refund: Refund) -> int:
        """Store the refund."""
        values = {
            "return_id": refund.return_id,
            "order_id": refund.order_id,
            "customer_id": refund.customer_id,
            "method": refund.method.value,
            "amount_cents": to_cents(refund.amount),
            "status": refund.status.value,
            "includes_shipping": refund.includes_shipping,
            "check_number": refund.check_number,
            "reference": refund.reference,
            "card_label": refund.card_label,
            "call_key": refund.call_key,
            "failure": refund.failure,
            "created_at": refund.created_at,
            "created_by": refund.created_by,
        }
        return int(self._conn.execute(insert(refunds).values(values).returning(rf.id)).scalar_one())

    def refunds_for_orders(self, order_ids: Sequence[int]) -> list[Refund]:
        """Oldest first."""
        found: list[Refund] = []
        for part in chunks(order_ids):
            found += [
                _refund(row) for row in self._conn.execute(select(refunds).where(rf.order_id.in_(part)))
            ]
        return sorted(found, key=lambda refund: refund.id or 0)

    def refund_for_call(self, call_key: str) -> Refund | None:
        """The refund made through the call with this base key."""
        row = self._conn.execute(select(refunds).where(rf.call_key == call_key, rf.call_key != "")).first()
        return _refund(row) if row is not None else None

    def settle_refund(self, refund_id: int, status: RefundStatus, reference: str, failure: str) -> bool:
        """Guarded on ``pending``, so one answer settles it once."""
        result = self._conn.execute(
            update(refunds)
            .where(rf.id == refund_id, rf.status == RefundStatus.PENDING.value)
            .values(status=status.value, reference=reference, failure=failure)
        )
        return bool(result.rowcount)

    def _returns(self, query: Any) -> list[Return]:
        rows = list(self._conn.execute(query))
        if not rows:
            return []
        lines: dict[int, list[ReturnLine]] = {row.id: [] for row in rows}
        for part in chunks(list(lines)):
            for line in self._conn.execute(
                select(return_lines).where(rl.return_id.in_(part)).order_by(rl.return_id, rl.id)
            ):
                lines[line.return_id].append(
                    ReturnLine(
                        line.order_line_id,
                        line.product_id,
                        line.sku,
                        line.quantity,
                        Disposition(line.disposition),
                    )
                )
        return [
            Return(
                id=row.id,
                order_id=row.order_id,
                customer_id=row.customer_id,
                reason=ReturnReason(row.reason),
                note=row.note,
                lines=tuple(lines[row.id]),
                created_at=row.created_at,
                created_by=row.created_by,
                exchange_order_id=row.exchange_order_id,
            )
            for row in rows
        ]


class SqlStoreCreditRepository(Repository, StoreCreditRepository):
    """Store credit: the balance row moves only by guarded updates (and the table's check refuses a
    negative balance besides), so two checkouts spending one balance at once cannot overdraw it.
    """

    def balance(self, customer_id: int) -> Decimal:
        """``0.00`` without a row."""
        cents = self._conn.execute(select(sc.balance_cents).where(sc.customer_id == customer_id)).scalar()
        return from_cents(cents) if cents is not None else ZERO

    def give(self, entry: CreditEntry) -> None:
        """Insert the balance row or add to it in one statement (``ON CONFLICT``)."""
        cents = to_cents(entry.amount)
        # The backend's own INSERT, imported here: the engine loads only its own dialect, and
        # every oms start would otherwise load PostgreSQL's on SQLite (or SQLite's on PostgreSQL).
        if self._is_postgres:
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        statement = upsert(store_credit).values(
            customer_id=entry.customer_id, balance_cents=cents, updated_at=entry.at
        )
        statement = statement.on_conflict_do_update(
            index_elements=[sc.customer_id],
            set_={"balance_cents": sc.balance_cents + cents, "updated_at": entry.at},
        )
        self._conn.execute(statement)
        self._record(entry)

    def take(self, customer_id: int, amount: Decimal, at: datetime) -> bool:
        """``UPDATE ... WHERE balance_cents >= spend``: the row lock makes concurrent spends queue."""
        spend = to_cents(amount)
        result = self._conn.execute(
            update(store_credit)
            .where(sc.customer_id == customer_id, sc.balance_cents >= spend)
            .values(balance_cents=sc.balance_cents - spend, updated_at=at)
        )
        return bool(result.rowcount)

    def record(self, entry: CreditEntry) -> None:
        """Insert the movement."""
        self._record(entry)

    def entries(self, customer_id: int, limit: int) -> list[CreditEntry]:
        """Newest first."""
        query = (
            select(store_credit_entries)
            .where(se.customer_id == customer_id)
            .order_by(se.at.desc(), se.id.desc())
            .limit(limit)
        )
        return [
            CreditEntry(
                row.customer_id,
                from_cents(row.amount_cents),
                row.what,
                row.at,
                row.by,
                row.order_id,
                row.return_id,
            )
            for row in self._conn.execute(query)
        ]

    def _record(self, entry: CreditEntry) -> None:
        self._conn.execute(
            insert(store_credit_entries).values(
                customer_id=entry.customer_id,
                amount_cents=to_cents(entry.amount),
                what=entry.what,
                at=entry.at,
                by=entry.by,
                order_id=entry.order_id,
                return_id=entry.return_id,
            )
        )


def _refund(row: Any) -> Refund:
    return Refund(
        id=row.id,
        return_id=row.return_id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        method=RefundMethod(row.method),
        amount=from_cents(row.amount_cents),
        status=RefundStatus(row.status),
        includes_shipping=row.includes_shipping,
        check_number=row.check_number,
        reference=row.reference,
        card_label=row.card_label,
        call_key=row.call_key,
        failure=row.failure,
        created_at=row.created_at,
        created_by=row.created_by,
    )
