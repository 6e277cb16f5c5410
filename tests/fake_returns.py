"""The in-memory returns, refunds and store credit used by ``tests.fakes.FakeUnitOfWork``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from oms_core.domain.errors import NotFound
from oms_core.domain.money import ZERO, money
from oms_core.domain.returns import CreditEntry, Refund, RefundStatus, Return
from oms_core.ports import ReturnRepository, StoreCreditRepository
from oms_core.read_models import TimePosition

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data


class FakeReturnRepository(_Repo, ReturnRepository):
    """Returns (``FakeStore.returns``) and refunds (``FakeStore.refunds``) in memory."""

    def add(self, item: Return) -> int:
        """Store the return; returns its id."""
        return_id = self._db.next_id("returns")
        self._db.returns[return_id] = replace(item, id=return_id)
        return return_id

    def get(self, return_id: int) -> Return:
        """One return. Raises ``NotFound``."""
        if return_id not in self._db.returns:
            raise NotFound(f"no return RMA-{return_id}")
        return self._db.returns[return_id]

    def for_order(self, order_id: int) -> list[Return]:
        """Oldest first."""
        return [r for _, r in sorted(self._db.returns.items()) if r.order_id == order_id]

    def for_customer(self, customer_id: int, limit: int) -> list[Return]:
        """Newest first."""
        found = [r for r in self._db.returns.values() if r.customer_id == customer_id]
        return sorted(found, key=lambda r: (r.created_at, r.id or 0), reverse=True)[:limit]

    def recent(self, since: datetime | None, limit: int, before: TimePosition | None = None) -> list[Return]:
        """Newest first; before ``before`` when given."""
        found = [r for r in self._db.returns.values() if since is None or r.created_at >= since]
        if before is not None:
            found = [r for r in found if TimePosition.after(r) < before]
        return sorted(found, key=TimePosition.after, reverse=True)[:limit]

    def set_exchange(self, return_id: int, order_id: int) -> None:
        """Tie the replacement order to the return."""
        self._db.returns[return_id] = replace(self._db.returns[return_id], exchange_order_id=order_id)

    def add_refund(self, refund: Refund) -> int:
        """Store the refund."""
        refund_id = self._db.next_id("refunds")
        self._db.refunds[refund_id] = replace(refund, id=refund_id)
        return refund_id

    def refunds_for_orders(self, order_ids: Sequence[int]) -> list[Refund]:
        """Oldest first."""
        return [r for _, r in sorted(self._db.refunds.items()) if r.order_id in set(order_ids)]

    def refund_for_call(self, call_key: str) -> Refund | None:
        """The refund made through the call."""
        return next((r for r in self._db.refunds.values() if call_key and r.call_key == call_key), None)

    def settle_refund(self, refund_id: int, status: RefundStatus, reference: str, failure: str) -> bool:
        """Guarded on pending."""
        refund = self._db.refunds[refund_id]
        if refund.status is not RefundStatus.PENDING:
            return False
        self._db.refunds[refund_id] = replace(refund, status=status, reference=reference, failure=failure)
        return True


class FakeStoreCreditRepository(_Repo, StoreCreditRepository):
    """Balances (``FakeStore.store_credit``) and movements (``FakeStore.credit_entries``)."""

    def balance(self, customer_id: int) -> Decimal:
        """``0.00`` without one."""
        return self._db.store_credit.get(customer_id, ZERO)

    def give(self, entry: CreditEntry) -> None:
        """Add to the balance."""
        self._db.store_credit[entry.customer_id] = money(self.balance(entry.customer_id) + entry.amount)
        self._db.credit_entries.append(entry)

    def take(self, customer_id: int, amount: Decimal, at: datetime) -> bool:
        """Spend, never below zero."""
        left = self.balance(customer_id) - amount
        if left < ZERO:
            return False
        self._db.store_credit[customer_id] = money(left)
        return True

    def record(self, entry: CreditEntry) -> None:
        """Record the movement."""
        self._db.credit_entries.append(entry)

    def entries(self, customer_id: int, limit: int) -> list[CreditEntry]:
        """Newest first."""
        found = [e for e in self._db.credit_entries if e.customer_id == customer_id]
        return list(reversed(found))[:limit]
