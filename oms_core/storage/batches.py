"""Batch jobs and their members (the ``batches`` and ``batch_members`` tables)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, select, text, tuple_, update

from oms_core.domain.batches import (
    Batch,
    BatchKind,
    BatchStatus,
    MemberCounts,
    MemberResult,
    MemberRow,
    MemberStatus,
    MemberTarget,
    PaymentPolicy,
)
from oms_core.domain.errors import NotFound
from oms_core.ports import BatchRepository
from oms_core.read_models import TimePosition
from oms_core.storage._common import Repository, chunks, unique
from oms_core.storage.keys import text_key
from oms_core.storage.loading import update_tuples
from oms_core.storage.run_locks import running_ids
from oms_core.storage.tables import batch_members, batches, customers, gateway_calls, orders

b = batches.c
m = batch_members.c
c = customers.c
o = orders.c
_RUN_TABLES = (batch_members, orders, gateway_calls)
"""The tables whose plans a run depends on: members recorded, orders probed by key and by the
foreign keys of lines and payments, gateway calls looked up by payment."""


def _values(batch: Batch) -> dict[str, Any]:
    return {
        "kind": batch.kind.value,
        "name": batch.name,
        "club_type_code": batch.club_type_code,
        "ship_date": batch.ship_date,
        "shipping_method": batch.shipping_method,
        "payment_policy": batch.payment_policy.value,
        "lines_json": json.dumps([[sku, quantity] for sku, quantity in batch.lines]),
        "status": batch.status.value,
        "created_by": batch.created_by,
        "created_at": batch.created_at,
        "updated_at": batch.updated_at,
    }


def _batch(row: Row[Any]) -> Batch:
    return Batch(
        id=row.id,
        kind=BatchKind(row.kind),
        name=row.name,
        lines=tuple((str(sku), int(quantity)) for sku, quantity in json.loads(row.lines_json)),
        shipping_method=row.shipping_method,
        payment_policy=PaymentPolicy(row.payment_policy),
        club_type_code=row.club_type_code,
        ship_date=row.ship_date,
        status=BatchStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlBatchRepository(Repository, BatchRepository):
    """Batches on SQLAlchemy Core; member statuses are written with ``executemany``."""

    def add(self, batch: Batch) -> int:
        """Insert the batch; set and return its id."""
        now = self._clock.now()
        batch.created_at = batch.created_at or now
        batch.updated_at = batch.updated_at or batch.created_at
        batch.id = self._conn.execute(insert(batches).values(_values(batch)).returning(b.id)).scalar_one()
        return batch.id

    def get(self, batch_id: int) -> Batch:
        """Load a batch; lock its row in a write unit of work (``FOR UPDATE`` on PostgreSQL)."""
        statement = select(batches).where(b.id == batch_id)
        if self._write:
            statement = statement.with_for_update()
        row = self._conn.execute(statement).first()
        if row is None:
            raise NotFound(f"batch {batch_id} does not exist")
        return _batch(row)

    def update(self, batch: Batch) -> None:
        """Save the batch's fields."""
        batch.updated_at = batch.updated_at or self._clock.now()
        values = _values(batch)
        del values["created_at"], values["created_by"], values["kind"]
        result = self._conn.execute(update(batches).where(b.id == batch.id).values(values))
        if result.rowcount != 1:
            raise NotFound(f"batch {batch.id} does not exist")

    def list(self, kind: BatchKind, limit: int, after: TimePosition | None = None) -> list[Batch]:
        """Batches of a kind, newest first: the first ``limit``, or those after ``after``.

        One range read of ``ix_batches_kind_created`` (migration 0020) in list order that stops
        after the page, so the last page of 10,000 shipments costs what the first does.
        """
        statement = select(batches).where(b.kind == kind.value)
        if after is not None:
            position = tuple_(bindparam("after_at", after.at, type_=b.created_at.type), after.id)
            statement = statement.where(tuple_(b.created_at, b.id) < position)
        statement = statement.order_by(b.created_at.desc(), b.id.desc()).limit(max(limit, 0))
        return [_batch(row) for row in self._conn.execute(statement)]

    def counts(self, batch_ids: Sequence[int]) -> dict[int, MemberCounts]:
        """Members per status of each batch."""
        found: dict[int, dict[str, int]] = {batch_id: {} for batch_id in batch_ids}
        for part in chunks(unique(list(batch_ids))):
            rows = self._conn.execute(
                select(m.batch_id, m.status, func.count())
                .where(m.batch_id.in_(part))
                .group_by(m.batch_id, m.status)
            )
            for batch_id, status, count in rows:
                found[batch_id][status] = count
        return {batch_id: MemberCounts.of(counts) for batch_id, counts in found.items()}

    def add_members(self, batch_id: int, customer_ids: Sequence[int], now: datetime) -> int:
        """Insert the customers not yet in the batch as pending members."""
        existing = set(self._conn.scalars(select(m.customer_id).where(m.batch_id == batch_id)))
        new = [customer_id for customer_id in unique(list(customer_ids)) if customer_id not in existing]
        if new:
            self._conn.execute(
                insert(batch_members),
                [
                    {
                        "batch_id": batch_id,
                        "customer_id": customer_id,
                        "status": MemberStatus.PENDING.value,
                        "order_id": None,
                        "reason": "",
                        "updated_at": now,
                    }
                    for customer_id in new
                ],
            )
        return len(new)

    def remove_members(self, batch_id: int, customer_ids: Sequence[int]) -> int:
        """Delete members whose order was not placed."""
        removed = 0
        for part in chunks(unique(list(customer_ids))):
            result = self._conn.execute(
                delete(batch_members).where(
                    m.batch_id == batch_id,
                    m.customer_id.in_(part),
                    m.status != MemberStatus.PLACED.value,
                )
            )
            removed += result.rowcount
        return removed

    def targets(self, batch_id: int, statuses: Iterable[str]) -> list[MemberTarget]:
        """Members in these statuses with what decides how each is processed."""
        wanted = [str(s) for s in statuses]
        if not wanted:
            return []
        statement = (
            select(
                m.customer_id,
                m.status,
                c.status.label("customer_status"),
                c.preferred_pickup,
                c.type_code,
                m.updated_at,
            )
            .join(customers, c.id == m.customer_id)
            .where(m.batch_id == batch_id, m.status.in_(wanted))
            .order_by(m.id)
        )
        status_of = {status.value: status for status in MemberStatus}
        return [
            MemberTarget(customer_id, status_of[status], customer_status, bool(pickup), type_code, updated_at)
            for customer_id, status, customer_status, pickup, type_code, updated_at in self._conn.execute(
                statement
            )
        ]

    def record(self, batch_id: int, results: Sequence[MemberResult], now: datetime) -> None:
        """Update every member's status in one statement (:func:`update_tuples`: a chunk of a club
        shipment is hundreds of rows, and SQLAlchemy's per-row parameter handling would cost more
        than the updates).
        """
        update_tuples(
            self._conn,
            batch_members,
            "customer_id",
            ("status", "order_id", "reason", "updated_at"),
            [(r.customer_id, r.status.value, r.order_id, r.reason, now) for r in results],
            guards={"batch_id": batch_id},
        )

    def members(
        self,
        batch_id: int,
        statuses: Iterable[str] | None = None,
        limit: int = 100,
        after_customer: int | None = None,
    ) -> list[MemberRow]:
        """A page of members with their customer's number, name and status and their order.

        Keyset paging on the member id (``ix_batch_members_batch_*_id``): the page after the member
        ``after_customer``, never an OFFSET, so the last page of 10,000 costs what the first does.
        The page of members is cut first and only its rows are joined to customers and orders: a
        join before the cut let PostgreSQL hash every remaining member's customer and order
        (a seq scan of both tables per page) and sort them all to keep the first page.
        """
        page = select(m.id, m.customer_id, m.status, m.order_id, m.reason, m.updated_at).where(
            m.batch_id == batch_id
        )
        if statuses is not None:
            page = page.where(m.status.in_([str(s) for s in statuses]))
        if after_customer is not None:
            after_id = (
                select(m.id).where(m.batch_id == batch_id, m.customer_id == after_customer).scalar_subquery()
            )
            page = page.where(m.id > after_id)
        cut = page.order_by(m.id).limit(limit).subquery("page")
        statement = (
            select(
                cut.c.customer_id,
                cut.c.status,
                cut.c.order_id,
                cut.c.reason,
                cut.c.updated_at,
                c.number,
                c.first_name,
                c.last_name,
                c.company,
                c.email,
                c.status.label("customer_status"),
                o.number.label("order_number"),
                o.total_cents,
            )
            .join(customers, c.id == cut.c.customer_id)
            .outerjoin(orders, o.id == cut.c.order_id)
            .order_by(cut.c.id)
        )
        return [
            MemberRow(
                customer_id=row.customer_id,
                customer_number=row.number,
                customer_name=f"{row.first_name} {row.last_name}".strip() or row.company,
                customer_status=row.customer_status,
                status=MemberStatus(row.status),
                order_id=row.order_id,
                order_number=row.order_number,
                order_total_cents=row.total_cents,
                reason=row.reason,
                email=row.email,
                updated_at=row.updated_at,
            )
            for row in self._conn.execute(statement)
        ]

    def refresh_statistics(self, added: int) -> None:
        """On PostgreSQL, ANALYZE the tables a run writes and reads back whose statistics are stale.

        A table is stale when it was never analysed, or when ``added`` (members a run went through
        since its last refresh, each a row or so in every one of these tables) is at least what the
        table held when it was last analysed: it has at least doubled. On a new database a run's
        tables start empty, and a plan made then is kept: the foreign-key checks of order lines and
        payments (cached per connection) probed ``orders`` through whichever index tied with its
        key when the table was empty, one whose last column is the id, so every check scanned the
        whole index and a 10,000-member shipment slowed with the square of its orders; the result
        listing became a nested loop over every order per member. ANALYZE invalidates those plans.
        A big table is left alone (a run's share of it changes nothing the planner relies on), so a
        run analyses a new database's tables a few times as they double, an old one's at most once.
        ANALYZE samples a bounded number of rows. SQLite plans from its indexes alone.

        Args:
            added: members the run went through since the last refresh (or since it started).
        """
        if not self._is_postgres:
            return
        known = dict(
            self._conn.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE oid = ANY(CAST(:names AS regclass[]))"),
                {"names": [table.name for table in _RUN_TABLES]},
            ).all()
        )
        preparer = self._conn.dialect.identifier_preparer
        for table in _RUN_TABLES:
            rows = known.get(table.name, -1)
            if rows < 0 or added >= rows:
                self._conn.execute(text(f"ANALYZE {preparer.format_table(table)}"))  # our own names

    def find_customers(self, numbers: Iterable[str], emails: Iterable[str]) -> dict[str, int]:
        """Customer ids by number (upper-case key) and email (lower-case key); unknown ones absent."""
        found: dict[str, int] = {}
        for part in chunks(unique([n.strip().upper() for n in numbers if n.strip()])):
            found.update(
                (row.number, row.id)
                for row in self._conn.execute(select(c.number, c.id).where(c.number.in_(part)))
            )
        for part in chunks(unique([text_key(e) for e in emails if e.strip()])):
            rows = self._conn.execute(
                select(c.email_key, c.id).where(c.email_key.in_(part)).order_by(c.number)
            )
            for row in rows:
                found.setdefault(row.email_key, row.id)
        return found

    def running(self, batch_ids: Iterable[int]) -> set[int]:
        """Of these batches, those whose run lock a live process holds (see ``run_locks``)."""
        ids = list(batch_ids)
        held = running_ids(self._conn, ids)
        return set(ids) if held is None else held
