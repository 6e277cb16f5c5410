"""What bulk orders and club shipments share: their read models, the preview and the run loop.

A run takes the members still to do (pending, failed, skipped) and places their orders a chunk at a
time in checkout's three steps (:mod:`oms_core.services.batch_steps`). Step 3 is one transaction
that writes the orders and the members' new statuses together, so whatever stops a run (the stop key, a
closed terminal, a crash) leaves every member either placed with its order or still to do, and the
next run goes on from there. Orders carry the key ``<kind>:<batch id>:<customer id>``: a member is
never ordered for twice, even by two runs at once (each chunk locks the batch row first). The
reference data that prices the orders (tax rates, customer types and their prices, shipping
methods) is read once per run, in its first chunk: a change to it applies from the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from oms_core.domain.batches import (
    Batch,
    BatchKind,
    BatchStatus,
    MemberCounts,
    MemberResult,
    MemberRow,
    MemberStatus,
    MemberTarget,
)
from oms_core.domain.customers import Address
from oms_core.domain.errors import OutOfStock, ValidationError
from oms_core.domain.money import ZERO, money
from oms_core.ports import UnitOfWork
from oms_core.read_models import CustomerSummary
from oms_core.services.batch_placing import (
    ALREADY,
    FAILED,
    PLACED,
    BatchOrderRequest,
    BatchOrderResult,
    preview_orders,
)
from oms_core.services.batch_steps import (
    PendingBatch,
    abandon_approved,
    ask_gateway,
    take_stock_and_record,
    write_approved,
)
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext
from oms_core.services.mail import queue_card_declined
from oms_core.services.retry import retry_on_conflict

CHUNK_SIZE = 50
"""Members in a run's first transaction; later chunks are sized by time (:class:`ChunkSizer`)."""

CHUNK_SECONDS = 0.1
"""How long one chunk's transaction should hold the write lock (SQLite's whole database, PostgreSQL's
product and counter rows): operators' edits wait at most about this long behind a batch."""

CHUNK_GAP_SECONDS = 0.12
"""On a single-writer database (SQLite), the longest pause between a run's transactions while other
writers wait for the lock (:meth:`~oms_core.ports.UnitOfWorkFactory.make_way`; none when nobody
waits): many times a blocked writer's longest wait between two tries (8 ms,
:func:`oms_core.storage.database._begin_immediate`), so every operator's write waiting on the chunk
gets in before the run takes the lock again, instead of waiting out the busy timeout."""

MAX_CHUNK = 2_000
"""The largest chunk, however fast the machine (a stop key is answered within a chunk)."""

MIN_CHUNK = CHUNK_SIZE
"""The smallest chunk, however slow the machine. A chunk costs a few dozen statements and two
commits whatever its size: on a loaded machine (or a database server on the same loaded cores)
those alone can take longer than :data:`CHUNK_SECONDS`, and sizing by time alone then shrank the
chunks to a member or two, each paying the whole fixed cost (a 10,000-member shipment on
PostgreSQL fell from ~600 to ~30 orders/s)."""

STOCK_RETRIES = 3
TO_DO = (MemberStatus.PENDING.value, MemberStatus.FAILED.value, MemberStatus.SKIPPED.value)

Plan = Callable[
    [UnitOfWork, Batch, Sequence[MemberTarget], PricingContext],
    tuple[list[BatchOrderRequest], list[MemberResult]],
]
"""Turns a chunk of members into order requests, and results for members decided without one,
given the run's reference data."""


@dataclass(frozen=True, slots=True)
class BatchView:
    """A batch as the screens list it."""

    id: int
    kind: str
    name: str
    lines: tuple[tuple[str, int], ...]
    shipping_method: str
    status: str
    counts: MemberCounts
    club_type_code: str | None = None
    ship_date: date | None = None
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def never_run(self) -> bool:
        """No run has started yet (the screens open such a batch on its preview)."""
        return self.status == BatchStatus.OPEN.value

    @property
    def interrupted(self) -> bool:
        """Its run was killed (no live process runs it): the next run resumes it."""
        return self.status == INTERRUPTED


@dataclass(frozen=True, slots=True)
class PreviewLine:
    """One member's order as it would be placed now."""

    customer: CustomerSummary
    ship_to: Address | None
    shipping_method: str
    payment_label: str
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchPreview:
    """The preview of a run: the first rows, and the figures over every member still to do.

    Attributes:
        rows: up to the limit asked for, in member order.
        members: members the run would try.
        ready: of them, those with nothing in the way.
        grand_total: the total of the ready orders.
    """

    rows: tuple[PreviewLine, ...]
    members: int
    ready: int
    grand_total: Decimal

    @property
    def with_problems(self) -> int:
        """Members whose order would fail or be skipped."""
        return self.members - self.ready


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Where a run is, after each chunk."""

    done: int
    total: int
    placed: int
    failed: int
    skipped: int


@dataclass(frozen=True, slots=True)
class RunReport:
    """How a run ended.

    Attributes:
        placed: orders placed by this run (members placed by an earlier run are not counted).
        stopped: the run was stopped before every member was tried.
        counts: the batch's members per status afterwards.
    """

    batch_id: int
    tried: int
    placed: int
    failed: int
    skipped: int
    stopped: bool
    counts: MemberCounts


INTERRUPTED = "interrupted"
"""The status shown for a batch stored as running that no live process is running (its run was
killed, or its machine went down): the next run resumes it."""


def batch_view(batch: Batch, counts: MemberCounts, alive: bool = True) -> BatchView:
    """The read model of a batch; ``alive`` is false when no process is running it any more."""
    status = batch.status.value
    if batch.status is BatchStatus.RUNNING and not alive:
        status = INTERRUPTED
    return BatchView(
        id=batch.id or 0,
        kind=batch.kind.value,
        name=batch.name,
        lines=batch.lines,
        shipping_method=batch.shipping_method,
        status=status,
        counts=counts,
        club_type_code=batch.club_type_code,
        ship_date=batch.ship_date,
        created_by=batch.created_by,
        created_at=batch.created_at,
    )


def load_view(uow: UnitOfWork, batch_id: int) -> BatchView:
    """Read one batch with its counts."""
    batch = uow.batches.get(batch_id)
    return list_views(uow, [batch])[0]


def list_views(uow: UnitOfWork, batches: list[Batch]) -> list[BatchView]:
    """Batches with their counts (one query for all counts) and whether their runs are alive."""
    counts = uow.batches.counts([b.id or 0 for b in batches])
    alive = uow.batches.running([b.id or 0 for b in batches if b.status is BatchStatus.RUNNING])
    return [batch_view(b, counts[b.id or 0], (b.id or 0) in alive) for b in batches]


def member_rows(
    ctx: ServiceContext, batch_id: int, status: str | None, limit: int, after_customer: int | None
) -> list[MemberRow]:
    """A page of a batch's members, all or those in one status, after the member ``after_customer``."""
    with ctx.read() as uow:
        uow.batches.get(batch_id)
        return uow.batches.members(batch_id, None if status is None else [status], limit, after_customer)


def preview(ctx: ServiceContext, batch_id: int, plan: Plan, limit: int) -> BatchPreview:
    """Price every member's order as a run would now (stock allocated in member order); write nothing."""
    with ctx.read() as uow:
        batch = uow.batches.get(batch_id)
        targets = uow.batches.targets(batch_id, TO_DO)
        pricing = PricingContext(uow)
        requests, decided = plan(uow, batch, targets, pricing)
        priced = {row.customer_id: row for row in preview_orders(uow, requests, pricing)} if requests else {}
        methods = {r.customer_id: r.shipping_method for r in requests}
        shown = [t.customer_id for t in targets[:limit]]
        summaries = uow.customers.summaries(shown)
    reasons = {d.customer_id: d.reason for d in decided}
    ready = [row for row in priced.values() if not row.problems]
    rows = []
    for customer_id in shown:
        row = priced.get(customer_id)
        summary = summaries.get(customer_id)
        if summary is None:
            continue
        if row is None:
            rows.append(
                PreviewLine(summary, None, "", "", ZERO, ZERO, ZERO, ZERO, (reasons.get(customer_id, ""),))
            )
            continue
        rows.append(
            PreviewLine(
                summary,
                row.ship_to,
                methods.get(customer_id, batch.shipping_method),
                row.payment_label,
                row.subtotal,
                row.shipping,
                row.tax,
                row.total,
                row.problems,
            )
        )
    return BatchPreview(tuple(rows), len(targets), len(ready), money(sum((row.total for row in ready), ZERO)))


class ChunkSizer:
    """Sizes a batch run's chunks by time, so each transaction holds the write lock for about
    :data:`CHUNK_SECONDS` whatever the machine, the database or the load: the next chunk is the
    members the last ones went through per second times the target, at most twice the last chunk
    (a quick first chunk does not make a huge second one), at least :data:`MIN_CHUNK` and at most
    :data:`MAX_CHUNK`.

    Args:
        fixed: members per chunk, always (tests and benchmarks that want chunks of a known size).
    """

    def __init__(self, fixed: int | None = None) -> None:
        self._fixed = max(1, fixed) if fixed is not None else None
        self.size = self._fixed or CHUNK_SIZE

    def took(self, members: int, seconds: float) -> None:
        """Learn from a chunk of ``members`` whose transaction took ``seconds``."""
        if self._fixed is not None or members <= 0:
            return
        wanted = int(members / max(seconds, 1e-4) * CHUNK_SECONDS)
        self.size = max(MIN_CHUNK, min(MAX_CHUNK, wanted, members * 2))


class BatchRunner:
    """Runs one batch to the end, a chunk per transaction, reporting progress after each chunk.

    Args:
        ctx: the services' context (units of work, gateway, clock, operator).
        plan: builds the chunk's order requests.
        chunk_size: members per transaction; ``None`` sizes chunks by time (:class:`ChunkSizer`).
    """

    def __init__(self, ctx: ServiceContext, plan: Plan, chunk_size: int | None = None) -> None:
        self._ctx = ctx
        self._plan = plan
        self._sizer = ChunkSizer(chunk_size)
        self._lock_seconds = 0.0
        self._pricing: PricingContext | None = None
        self._statistics: ThreadPoolExecutor | None = None
        self._refreshing: Future[None] | None = None

    def run(
        self,
        batch_id: int,
        progress: Callable[[RunProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        prepare: Callable[[UnitOfWork, Batch], None] | None = None,
    ) -> RunReport:
        """Place the orders of every member still to do.

        ``should_stop`` is asked before each chunk; a stopped run leaves the batch ``stopped`` and
        the next run goes on from there. ``prepare`` runs once inside the first transaction (a club
        takes in its new members there).

        Raises:
            NotFound: no such batch.
        """
        # Held from before the batch is marked running until after it is marked finished: while
        # it is held, the batch shows as running; once its process is gone, as interrupted.
        with self._ctx.uow_factory.batch_run(batch_id):
            if self._ctx.uow_factory.row_locks:
                # A thread of its own for the planner's statistics (_refresh_statistics).
                self._statistics = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oms-statistics")
            try:
                return self._run(batch_id, progress, should_stop, prepare)
            finally:
                if self._statistics is not None:
                    self._statistics.shutdown(wait=True)
                    self._statistics = None

    def _run(
        self,
        batch_id: int,
        progress: Callable[[RunProgress], None] | None,
        should_stop: Callable[[], bool] | None,
        prepare: Callable[[UnitOfWork, Batch], None] | None,
    ) -> RunReport:
        targets = self._start(batch_id, prepare)
        total, done = len(targets), 0
        tally = {MemberStatus.PLACED: 0, MemberStatus.FAILED: 0, MemberStatus.SKIPPED: 0}
        placed_before: set[int] = set()
        stopped = False
        refreshed = 0  # members done when the planner's statistics were last refreshed
        if progress is not None:
            progress(RunProgress(0, total, 0, 0, 0))
        while done < total:
            if should_stop is not None and should_stop():
                stopped = True
                break
            chunk = targets[done : done + self._sizer.size]
            self._lock_seconds = 0.0
            results, already = self._chunk(batch_id, chunk)
            # Sized by its longest transaction: the cards' time at the gateway holds no lock, and
            # counting it would shrink chunks below what the in-flight limit can use.
            self._sizer.took(len(chunk), self._lock_seconds)
            if done + len(chunk) < total:
                self._ctx.uow_factory.make_way(CHUNK_GAP_SECONDS)
            placed_before.update(already)
            for result in results:
                if result.customer_id not in already:
                    tally[result.status] += 1
            done += len(chunk)
            if done < total and (refreshed == 0 or done >= 2 * refreshed):
                # After the first chunk, then each time the run has doubled: a new database's
                # tables grow from empty, and plans made when they were empty must not last.
                self._refresh_statistics(done - refreshed)
                refreshed = done
            if progress is not None:
                progress(
                    RunProgress(
                        done,
                        total,
                        tally[MemberStatus.PLACED],
                        tally[MemberStatus.FAILED],
                        tally[MemberStatus.SKIPPED],
                    )
                )
        self._refreshed()
        return self._finish(batch_id, done, tally, stopped or done < total, done - refreshed)

    @retry_on_conflict
    def _start(
        self, batch_id: int, prepare: Callable[[UnitOfWork, Batch], None] | None
    ) -> list[MemberTarget]:
        """Mark the batch running (after ``prepare``) and list the members still to do."""
        with self._ctx.write() as uow:
            batch = uow.batches.get(batch_id)
            if prepare is not None:
                prepare(uow, batch)
            targets = uow.batches.targets(batch_id, TO_DO)
            batch.status = BatchStatus.RUNNING
            batch.updated_at = self._ctx.clock.now()
            uow.batches.update(batch)
            uow.commit()
        return targets

    def _chunk(self, batch_id: int, chunk: Sequence[MemberTarget]) -> tuple[list[MemberResult], set[int]]:
        """Place one chunk in one transaction; retry when stock moved under a concurrent writer."""
        for attempt in range(STOCK_RETRIES):
            try:
                return self._place_chunk(batch_id, chunk)
            except OutOfStock as exc:
                if attempt == STOCK_RETRIES - 1:
                    failed = [
                        MemberResult(t.customer_id, MemberStatus.FAILED, reason=str(exc)) for t in chunk
                    ]
                    self._record(batch_id, failed)
                    return failed, set()
        raise AssertionError("unreachable")  # pragma: no cover

    @retry_on_conflict
    def _record(self, batch_id: int, results: Sequence[MemberResult]) -> None:
        with self._ctx.write() as uow:
            uow.batches.record(batch_id, results, self._ctx.clock.now())
            uow.commit()

    @retry_on_conflict
    def _place_chunk(
        self, batch_id: int, chunk: Sequence[MemberTarget]
    ) -> tuple[list[MemberResult], set[int]]:
        """Checkout's three steps for a chunk: stock and pending calls in one transaction, the
        cards at the gateway with no transaction open (a bounded number at once), the approved
        orders written in a second transaction. Members who were short of stock go round again
        when declined members gave theirs back.
        """
        now = self._ctx.clock.now()
        placed: dict[str, BatchOrderResult] = {}
        decided: list[MemberResult] | None = None
        only: set[str] | None = None
        for _ in range(STOCK_ROUNDS):
            results, freed, planned = self._three_steps(batch_id, chunk, now, only)
            decided = planned if decided is None else decided
            placed.update((r.key, r) for r in results)
            only = _short(results)
            if not (freed and only):
                break
        member_results = [_member_result(r) for r in placed.values()] + (decided or [])
        already = {r.customer_id for r in placed.values() if r.status == ALREADY}
        return member_results, already

    def _three_steps(
        self, batch_id: int, chunk: Sequence[MemberTarget], now: datetime, only: set[str] | None
    ) -> tuple[list[BatchOrderResult], bool, list[MemberResult]]:
        """One round (of the requests keyed in ``only``, when given): the results, whether cards
        that were not approved gave stock back, and the members decided without an order.
        """
        started = time.monotonic()
        with self._ctx.write() as uow:
            batch = uow.batches.get(batch_id)  # locks the batch: runs of one batch take turns
            if self._pricing is None:
                # The run's reference data (tax rates, customer types and their prices, shipping
                # methods), read once: every member of a run is priced alike, and on PostgreSQL
                # each chunk is five round trips fewer.
                self._pricing = PricingContext(uow)
            requests, decided = self._plan(uow, batch, chunk, self._pricing)
            if only is not None:
                requests, decided = [r for r in requests if r.key in only], []
            pending = take_stock_and_record(uow, self._ctx, requests, self._pricing)
            early = [] if pending.waiting else [_member_result(r) for r in pending.results]
            if early or decided:
                uow.batches.record(batch_id, early + decided, now)
            uow.commit()
            self._held(started, pending)
            if not pending.waiting:
                return pending.results, False, decided
            # Step 3 runs on the same connection (a check-out and, on PostgreSQL, its ping fewer per
            # chunk); step 1 is committed, so no transaction is open while the gateway answers.
            ask_gateway(self._ctx, pending)
            self._ctx.uow_factory.make_way(CHUNK_GAP_SECONDS)  # writers that queued behind step 1
            started = time.monotonic()
            try:
                batch = uow.batches.get(batch_id)  # another run's step 1 must not see this one half-written
                results = write_approved(uow, self._ctx, pending)
                uow.batches.record(batch_id, [_member_result(r) for r in results], now)
                if batch.kind is BatchKind.CLUB:
                    _tell_declined_members(self._ctx, uow, batch.name, pending)
                uow.commit()  # the notices are sent after it, by the mail sender
            except BaseException:
                try:
                    uow.rollback()  # nothing of step 3 stays, and no transaction is open for the voids
                finally:
                    abandon_approved(self._ctx, pending)
                raise
        self._held(started, pending)
        return results, not all(answer.approved for answer in pending.answers.values()), decided

    def _refresh_statistics(self, added: int) -> None:
        """Refresh the planner's statistics where ``added`` more members made them stale (its own
        short transaction: ANALYZE inside a chunk's would hold the chunk's locks the longer).

        Where the database is a server (PostgreSQL), on the run's statistics thread while the next
        chunk runs: ANALYZE is the server's work alone (the thread only waits for it, so it does
        not hold up this thread's Python), it takes no lock a chunk's writes wait for, and its
        plans take effect from its commit. The refresh before it is waited for first, and its
        error, if any, raised here.
        """
        self._refreshed()
        if self._statistics is None:
            self._refresh_now(added)
        else:
            self._refreshing = self._statistics.submit(self._refresh_now, added)

    def _refreshed(self) -> None:
        """Wait for the refresh under way, if any (raising its error)."""
        refreshing, self._refreshing = self._refreshing, None
        if refreshing is not None:
            refreshing.result()

    def _refresh_now(self, added: int) -> None:
        with self._ctx.read() as uow:
            uow.batches.refresh_statistics(added)
            uow.commit()

    def _held(self, started: float, pending: PendingBatch) -> None:
        """Count a step's transaction, just committed, in what the chunk made others wait: from its
        first statement where a write transaction holds the whole database, else from its first
        row lock (the reads before it keep nobody waiting).
        """
        if self._ctx.uow_factory.row_locks and pending.locked_at is not None:
            started = max(started, pending.locked_at)
        self._lock_seconds = max(self._lock_seconds, time.monotonic() - started)

    @retry_on_conflict
    def _finish(
        self, batch_id: int, tried: int, tally: dict[MemberStatus, int], stopped: bool, added: int
    ) -> RunReport:
        with self._ctx.write() as uow:
            batch = uow.batches.get(batch_id)
            batch.status = BatchStatus.STOPPED if stopped else BatchStatus.FINISHED
            batch.updated_at = self._ctx.clock.now()
            uow.batches.update(batch)
            counts = uow.batches.counts([batch_id])[batch_id]
            uow.commit()
            uow.batches.refresh_statistics(added)  # the result listing comes next
            uow.commit()
        return RunReport(
            batch_id,
            tried,
            tally[MemberStatus.PLACED],
            tally[MemberStatus.FAILED],
            tally[MemberStatus.SKIPPED],
            stopped,
            counts,
        )


def check_items(uow: UnitOfWork, items: tuple[tuple[str, int], ...]) -> None:
    """Refuse unknown or discontinued SKUs.

    Raises:
        ValidationError: naming each (field ``lines``).
    """
    products = uow.products.get_many_by_sku(sku for sku, _ in items)
    problems = []
    for sku, _ in items:
        product = products.get(sku)
        if product is None:
            problems.append(("lines", f"no product with SKU {sku!r}"))
        elif not product.active:
            problems.append(("lines", f"{sku} is no longer sold"))
    if problems:
        raise ValidationError.from_problems(problems)


def check_shipping_method(uow: UnitOfWork, code: str) -> None:
    """Refuse an unknown or retired shipping method.

    Raises:
        ValidationError: field ``shipping_method``.
    """
    if not any(m.code == code and m.active for m in uow.reference.shipping_methods()):
        raise ValidationError(f"unknown shipping method {code!r}", field="shipping_method")


STOCK_ROUNDS = 3
"""How many times a chunk's members who were short of stock go round again after declines."""


def _tell_declined_members(ctx: ServiceContext, uow: UnitOfWork, name: str, pending: PendingBatch) -> None:
    """Queue the "your card was declined" notice to each club member the gateway declined.

    In the run's own transaction, so it is committed with the decline, or not at all.
    """
    for item, reason in pending.declined:
        choice = item.order.payment_choice
        card = choice.label() if choice is not None else "your card"
        queue_card_declined(ctx, uow, item.request.customer_id, name, card, reason)


def _short(results: Sequence[BatchOrderResult]) -> set[str]:
    """Keys of the requests that failed only for want of stock."""
    return {r.key for r in results if r.status == FAILED and " short (" in r.reason}


def _member_result(result: BatchOrderResult) -> MemberResult:
    if result.status in (PLACED, ALREADY):
        return MemberResult(result.customer_id, MemberStatus.PLACED, result.order_id)
    return MemberResult(result.customer_id, MemberStatus.FAILED, reason=result.reason)
