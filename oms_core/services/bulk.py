"""Bulk orders: the same items for many customers, each paying for their own order.

The operator makes a batch (a name, the items, a shipping method), adds the customers (picked from
search results, all of a customer type, or a pasted list of numbers and emails), previews one row per
customer, and runs it. Each customer gets one order (source ``bulk``) at their own prices and tax,
paid with their card on file or on account where their type allows it. Running a batch again only
tries the customers whose order was not placed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oms_core.domain.batches import (
    Batch,
    BatchKind,
    MemberResult,
    MemberRow,
    MemberTarget,
    PaymentPolicy,
    clean_lines,
    clean_name,
)
from oms_core.domain.customers import CustomerStatus
from oms_core.domain.errors import NotFound, ValidationError
from oms_core.domain.orders import OrderSource
from oms_core.ports import UnitOfWork
from oms_core.read_models import TimePosition
from oms_core.services.batch_jobs import (
    BatchPreview,
    BatchRunner,
    BatchView,
    RunProgress,
    RunReport,
    check_items,
    check_shipping_method,
    list_views,
    load_view,
    member_rows,
    preview,
)
from oms_core.services.batch_placing import BatchOrderRequest
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext
from oms_core.services.retry import retry_on_conflict

_TOKEN = re.compile(r"[\s,;]+")
_NUMBER = re.compile(r"[Cc]?\d{1,9}")


@dataclass(frozen=True, slots=True)
class MembersAdded:
    """What adding customers to a batch did.

    Attributes:
        added: customers newly in the batch.
        already: customers who were in it before.
        unknown: pasted numbers or emails that match no customer, as typed.
    """

    added: int
    already: int
    unknown: tuple[str, ...] = ()


class BulkOrderService:
    """Bulk-order batches: make, fill, preview and run them."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # -- making a batch ---------------------------------------------------------------------------

    @retry_on_conflict
    def create(
        self,
        name: str,
        lines: Sequence[tuple[str, int]],
        shipping_method: str,
        customer_ids: Sequence[int] = (),
    ) -> BatchView:
        """Make a bulk-order batch, optionally with its first customers.

        Raises:
            ValidationError: no name, no items, a bad quantity, an unknown SKU or shipping method.
        """
        batch_name = clean_name(name)
        items = clean_lines(list(lines))
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            check_items(uow, items)
            check_shipping_method(uow, shipping_method)
            batch = Batch(
                id=None,
                kind=BatchKind.BULK,
                name=batch_name,
                lines=items,
                shipping_method=shipping_method,
                payment_policy=PaymentPolicy.OWN,
                created_by=self._ctx.operator_username,
                created_at=now,
                updated_at=now,
            )
            batch_id = uow.batches.add(batch)
            if customer_ids:
                uow.batches.add_members(batch_id, _existing(uow, customer_ids), now)
            view = load_view(uow, batch_id)
            uow.commit()
        return view

    @retry_on_conflict
    def update(
        self,
        batch_id: int,
        name: str | None = None,
        lines: Sequence[tuple[str, int]] | None = None,
        shipping_method: str | None = None,
    ) -> BatchView:
        """Change a batch's name, items or shipping; orders already placed keep theirs.

        Raises:
            ValidationError: as for ``create``.
        """
        with self._ctx.write() as uow:
            batch = _bulk(uow, batch_id)
            if name is not None:
                batch.name = clean_name(name)
            if lines is not None:
                batch.lines = clean_lines(list(lines))
                check_items(uow, batch.lines)
            if shipping_method is not None:
                check_shipping_method(uow, shipping_method)
                batch.shipping_method = shipping_method
            batch.updated_at = self._ctx.clock.now()
            uow.batches.update(batch)
            view = load_view(uow, batch_id)
            uow.commit()
        return view

    def get(self, batch_id: int) -> BatchView:
        """A batch with its member counts."""
        with self._ctx.read() as uow:
            _bulk(uow, batch_id)
            return load_view(uow, batch_id)

    def list(self, limit: int = 50, after: TimePosition | None = None) -> list[BatchView]:
        """Bulk-order batches, newest first: a page of ``limit``, after ``after`` (``TimePosition.after``
        of the last row shown) for the next one.
        """
        with self._ctx.read() as uow:
            return list_views(uow, uow.batches.list(BatchKind.BULK, limit, after))

    # -- members ----------------------------------------------------------------------------------

    @retry_on_conflict
    def add_customers(self, batch_id: int, customer_ids: Sequence[int]) -> MembersAdded:
        """Add customers (picked from search results)."""
        with self._ctx.write() as uow:
            _bulk(uow, batch_id)
            ids = _existing(uow, customer_ids)
            added = uow.batches.add_members(batch_id, ids, self._ctx.clock.now())
            uow.commit()
        return MembersAdded(added, len(set(ids)) - added)

    @retry_on_conflict
    def add_customer_type(self, batch_id: int, type_code: str, include_on_hold: bool = False) -> MembersAdded:
        """Add every active customer of a type (and those on hold, if asked).

        Raises:
            ValidationError: unknown customer type.
        """
        with self._ctx.write() as uow:
            _bulk(uow, batch_id)
            if uow.reference.customer_type(type_code) is None:
                raise ValidationError(f"unknown customer type {type_code!r}", field="type")
            statuses = [CustomerStatus.ACTIVE.value]
            if include_on_hold:
                statuses.append(CustomerStatus.ON_HOLD.value)
            ids = uow.customers.ids_by_type(type_code, statuses)
            added = uow.batches.add_members(batch_id, ids, self._ctx.clock.now())
            uow.commit()
        return MembersAdded(added, len(ids) - added)

    @retry_on_conflict
    def add_pasted(self, batch_id: int, text: str) -> MembersAdded:
        """Add the customers whose numbers or emails are pasted (any mix, one or many a line).

        Tokens that match no customer come back in ``unknown``, in the order they were pasted.
        """
        tokens = [t.strip().strip("\"'<>") for t in _TOKEN.split(text)]
        tokens = [t for t in tokens if t]
        numbers, emails = _classify(tokens)
        with self._ctx.write() as uow:
            _bulk(uow, batch_id)
            found = uow.batches.find_customers(numbers.values(), emails)
            ids: list[int] = []
            unknown: list[str] = []
            for token in tokens:
                key = numbers.get(token) or (token.lower() if "@" in token else None)
                if key is not None and key in found:
                    ids.append(found[key])
                else:
                    unknown.append(token)
            added = uow.batches.add_members(batch_id, ids, self._ctx.clock.now())
            uow.commit()
        return MembersAdded(added, len(set(ids)) - added, tuple(dict.fromkeys(unknown)))

    @retry_on_conflict
    def remove_customers(self, batch_id: int, customer_ids: Sequence[int]) -> int:
        """Take customers out of the batch (not those whose order was placed)."""
        with self._ctx.write() as uow:
            _bulk(uow, batch_id)
            removed = uow.batches.remove_members(batch_id, list(customer_ids))
            uow.commit()
        return removed

    def members(
        self, batch_id: int, status: str | None = None, limit: int = 100, after_customer: int | None = None
    ) -> list[MemberRow]:
        """A page of the batch's customers with what became of their orders."""
        return member_rows(self._ctx, batch_id, status, limit, after_customer)

    # -- preview and run --------------------------------------------------------------------------

    def preview(self, batch_id: int, limit: int = 500) -> BatchPreview:
        """One row per customer still to order: ship-to, totals at their prices, payment, problems."""
        return preview(self._ctx, batch_id, _plan, limit)

    def run(
        self,
        batch_id: int,
        progress: Callable[[RunProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        chunk_size: int | None = None,
    ) -> RunReport:
        """Place one order per customer not yet placed, a chunk per transaction.

        Stoppable between chunks; a second run goes on where the first stopped and never places a
        second order for a customer.

        Raises:
            ValidationError: the batch has no customers.
        """
        with self._ctx.read() as uow:
            _bulk(uow, batch_id)
            if uow.batches.counts([batch_id])[batch_id].total == 0:
                raise ValidationError("add customers to the batch first", field="members")
        return BatchRunner(self._ctx, _plan, chunk_size).run(batch_id, progress, should_stop)


def _plan(
    uow: UnitOfWork, batch: Batch, targets: Sequence[MemberTarget], pricing: PricingContext
) -> tuple[list[BatchOrderRequest], list[MemberResult]]:
    """Every customer gets the batch's items and shipping; the engine reports what stops them."""
    requests = [
        BatchOrderRequest(
            key=batch.order_key(t.customer_id),
            customer_id=t.customer_id,
            lines=batch.lines,
            source=OrderSource.BULK,
            shipping_method=batch.shipping_method,
            notes=f"Bulk order: {batch.name}",
            payment_key=t.payment_key(batch.order_key(t.customer_id)),
        )
        for t in targets
    ]
    return requests, []


def _bulk(uow: UnitOfWork, batch_id: int) -> Batch:
    try:
        batch = uow.batches.get(batch_id)
    except NotFound:
        raise NotFound(f"there is no bulk order {batch_id}") from None
    if batch.kind is not BatchKind.BULK:
        raise ValidationError(
            f"batch {batch_id} is a {batch.kind.value} batch, not a bulk order", field="batch"
        )
    return batch


def _existing(uow: UnitOfWork, customer_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(customer_ids))
    found = uow.customers.summaries(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"no customer with id {missing[0]}", field="members")
    return ids


def _classify(tokens: list[str]) -> tuple[dict[str, str], list[str]]:
    """Pasted tokens that look like customer numbers (token -> ``C000123``) and like emails."""
    numbers: dict[str, str] = {}
    emails: list[str] = []
    for token in tokens:
        if "@" in token:
            emails.append(token)
        elif _NUMBER.fullmatch(token):
            numbers[token] = f"C{int(token.lstrip('Cc')):06d}"
    return numbers, emails
