"""Making a seed's orders in other processes, segment by segment, as rows ready for the driver.

Making and pricing an order with the domain's rules, and turning it into rows, is all Python: one
interpreter makes a few thousand orders a second, which is most of a million-order seed. Segments
(:class:`~oms_core.demo.orders.Segment`) carry their own randomness, so worker processes make them
side by side while the seeding process inserts the rows of the ones made before; what depends on
the order of all of them (stock taken, supplier deliveries received) is done by the seeding process
in placing order, from each order's :class:`~oms_core.demo.orders.StockTaking`. The data is the
same whatever the number of processes.

Workers are forked (on Linux), so they start with the book (customers, products, reference data)
without copying it through a pipe; they never touch the database connection they inherit. What a
worker hands back is one :mod:`marshal` payload of plain values (:func:`_packed`): the seeding
process is the one that inserts every row, so the cost of reading millions of rows back from a pipe
is on its critical path, and marshal reads them several times faster than pickle.
"""

from __future__ import annotations

import gc
import itertools
import marshal
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Dialect

from oms_core.clock import StoppedClock
from oms_core.demo.orders import OrderBook, Segment, StockTaking, make_segment, stock_taking
from oms_core.demo.people import CustomerBatch, CustomerFactory
from oms_core.domain.errors import OmsError
from oms_core.payments.test_gateway import TestGateway
from oms_core.storage.audit import EVENT_COLUMNS, event_row
from oms_core.storage.loading import plain_rows
from oms_core.storage.orders import LOAD_COLUMNS, load_rows
from oms_core.storage.tables import audit_events, order_lines, orders, payments


@dataclass(frozen=True, slots=True)
class Job:
    """One segment to make: its orders' numbers start at ``first_number``, their ids are ``ids``."""

    segment: Segment
    first_number: int
    ids: Sequence[int]


@dataclass(frozen=True, slots=True)
class Made:
    """A segment's rows, converted for the driver, and what each of its orders takes from stock."""

    orders: list[Sequence[Any]]
    lines: list[Sequence[Any]]
    payments: list[Sequence[Any]]
    events: list[Sequence[Any]]
    takings: list[StockTaking]


@dataclass(frozen=True, slots=True)
class Maker:
    """What every segment is made from (a worker inherits it when it is forked)."""

    book: OrderBook
    now: datetime
    dialect: Dialect


def make(maker: Maker, job: Job) -> Made:
    """Make ``job``'s orders and their rows (a test gateway of its own authorises the cards)."""
    numbers = itertools.count(job.first_number)
    seeded = list(
        make_segment(
            maker.book, job.segment, numbers.__next__, TestGateway(StoppedClock(maker.now)), maker.now
        )
    )
    order_rows, line_rows, payment_rows = load_rows([m.order for m in seeded], job.ids, maker.now)
    event_rows = [
        event_row(event, order_id) for m, order_id in zip(seeded, job.ids, strict=True) for event in m.events
    ]
    dialect = maker.dialect
    return Made(
        plain_rows(dialect, orders, LOAD_COLUMNS[0], order_rows),
        plain_rows(dialect, order_lines, LOAD_COLUMNS[1], line_rows),
        plain_rows(dialect, payments, LOAD_COLUMNS[2], payment_rows),
        plain_rows(dialect, audit_events, EVENT_COLUMNS, event_rows),
        [stock_taking(m.order) for m in seeded],
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _packed(made: Made) -> bytes:
    """``made`` as one marshal payload (a taking's time as whole microseconds: exact both ways)."""
    takings = [((t.at - _EPOCH) // _MICROSECOND, t.operator, t.lines, t.put_back) for t in made.takings]
    return marshal.dumps((made.orders, made.lines, made.payments, made.events, takings))


def _unpacked(payload: bytes) -> Made:
    """The :class:`Made` that :func:`_packed` packed."""
    order_rows, line_rows, payment_rows, event_rows, takings = marshal.loads(payload)
    return Made(
        order_rows,
        line_rows,
        payment_rows,
        event_rows,
        [
            StockTaking(_EPOCH + at * _MICROSECOND, operator, lines, put_back)
            for at, operator, lines, put_back in takings
        ],
    )


def made_in_order(
    maker: Maker, jobs: Iterator[Job], processes: int, ahead: int = 1
) -> Generator[Made, None, None]:
    """Each job's :class:`Made`, in the jobs' order, made by up to ``processes`` worker processes.

    At most ``ahead`` more jobs than there are workers are under way or made and waiting (each
    waits as one packed payload of a few MB), so memory stays bounded however many segments
    there are. The first item submits that many at once, so the workers go on making them while
    the caller is busy elsewhere. With one process, or where processes cannot be forked, they are
    made here, one after another. Closing the generator shuts the workers down.
    """
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            yield make(maker, job)
        return
    global _MAKER
    _MAKER = maker
    # Objects that exist at the fork are left out of the workers' garbage collections, which would
    # otherwise write to every one of them and so copy every page the workers share with us.
    gc.collect()
    gc.freeze()
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    try:
        pending: deque[Future[bytes]] = deque()
        for job in jobs:
            pending.append(pool.submit(_make_in_worker, job))
            if len(pending) >= processes + ahead:
                yield _unpacked(pending.popleft().result())
        while pending:
            yield _unpacked(pending.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _MAKER = None


def customers_made_apart(
    factory: CustomerFactory, count: int, chunk: int
) -> Generator[tuple[int, CustomerBatch], None, None]:
    """``factory``'s next ``count`` customers in batches of ``chunk`` (with each batch's first
    index), made by a forked process while this one inserts the batches it already has.

    One process makes them all in order with the factory's own randomness, so they are the
    customers this process would have made; each batch comes as one marshal payload, and the pipe
    holds at most about one batch, so memory stays bounded. Once all have come, ``factory.kept``
    is the customers that process kept. The process's error is raised here.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    maker = context.Process(target=_make_customers, args=(factory, count, chunk, writer), daemon=True)
    maker.start()
    writer.close()  # ours: the pipe then reports the end if the process dies
    try:
        start = 0
        while True:
            try:
                payload = reader.recv_bytes()
            except EOFError:  # it died without a word: killed, or out of memory
                maker.join(5)
                raise OmsError(
                    f"the process making customers stopped after {start:,} of {count:,} "
                    f"(exit code {maker.exitcode}); nothing was written"
                ) from None
            kind, body = payload[:1], payload[1:]
            if kind == _ROWS:
                batch = CustomerBatch(*marshal.loads(body))
                yield start, batch
                start += len(batch.customers)
            elif kind == _KEPT:
                factory.kept = pickle.loads(body)  # noqa: S301 (our own child process's objects)
                return
            else:
                raise pickle.loads(body)  # noqa: S301 (our own child process's error)
    finally:
        reader.close()
        if maker.is_alive():  # stopped early (an error here): it would wait on the pipe forever
            maker.kill()
        maker.join()


_ROWS, _KEPT, _FAILED = b"R", b"K", b"E"


def _make_customers(factory: CustomerFactory, count: int, chunk: int, writer: Connection) -> None:
    try:
        for start in range(0, count, chunk):
            batch = factory.batch(min(chunk, count - start))
            # Rows are tuples of plain values: no reference cycles, so the cycle collector the
            # seeder switched off (the fork kept it off) has nothing to find here.
            writer.send_bytes(_ROWS + marshal.dumps((batch.customers, batch.addresses, batch.cards)))
        writer.send_bytes(_KEPT + pickle.dumps(factory.kept))
    except Exception as error:  # handed to the seeding process, which raises it
        try:
            failure = pickle.dumps(error)
        except Exception:  # an error that cannot be pickled: its words are enough
            failure = pickle.dumps(RuntimeError(f"making customers failed: {error}"))
        writer.send_bytes(_FAILED + failure)
    finally:
        writer.close()


def processes_for(segments: int) -> int:
    """Worker processes for ``segments``: one per core this process may use, none for one segment."""
    if segments <= 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(segments, cores)


_MAKER: Maker | None = None
"""Set in the seeding process just before the workers are forked, so each inherits it."""


def _make_in_worker(job: Job) -> bytes:
    assert _MAKER is not None, "the worker was not forked from the seeding process"
    try:
        return _packed(make(_MAKER, job))
    finally:
        if not gc.isenabled():  # the seeder switched it off (and the fork kept it off): see there
            gc.collect()
