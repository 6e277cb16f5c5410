"""Loading demo data into a database: reference data, catalogue, customers and order history.

Everything goes in one write transaction (``BEGIN IMMEDIATE`` on SQLite): customers, addresses and
cards as ready tuples through :func:`oms_core.storage.loading.insert_tuples` in chunks, made by a
process of their own on a multi-core machine; orders are made segment by segment in worker
processes as rows ready for the driver (:mod:`oms_core.demo.segments`) while this process inserts
them and takes stock in placing order. The workers start before the customers' indexes are built,
so they make the first segments meanwhile. The database is asked nothing per customer or order.
After the commit the loaded tables are settled for reading
(:func:`~oms_core.storage.loading.settle_after_load`).

Seeding adds to what is there: customer and order numbers continue from the counters, ids from the
largest ids, SKUs skip those already in the catalogue, and reference data (customer types, shipping
methods, tax rates, settings, operators) is only added where missing, so an office's own edits stay.
The same plan and seed give the same data on the same starting database (timestamps are relative to
the clock).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import queue
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine

from oms_core.clock import SystemClock
from oms_core.demo import reference
from oms_core.demo.catalogue import build_catalogue
from oms_core.demo.orders import OrderBook, Segment, plan_history, take_stock
from oms_core.demo.people import (
    ADDRESS_COLUMNS,
    CARD_COLUMNS,
    CUSTOMER_COLUMNS,
    CustomerBatch,
    CustomerFactory,
)
from oms_core.demo.phones import PhonePool
from oms_core.demo.plan import SeedPlan, SeedReport
from oms_core.demo.segments import (
    Job,
    Made,
    Maker,
    customers_made_apart,
    made_in_order,
    processes_for,
)
from oms_core.domain.customers import Customer
from oms_core.domain.products import Product
from oms_core.domain.tax import TaxTable
from oms_core.ports import Clock
from oms_core.storage import loading
from oms_core.storage.audit import EVENT_COLUMNS, event_row
from oms_core.storage.database import connect
from oms_core.storage.orders import LOAD_COLUMNS
from oms_core.storage.products import SqlProductRepository, product_values
from oms_core.storage.reference import SqlReferenceRepository
from oms_core.storage.tables import (
    CUSTOMER_COUNTER,
    ORDER_COUNTER,
    addresses,
    audit_events,
    cards,
    customers,
    order_lines,
    orders,
    payments,
    products,
)

CHUNK = 5_000
MADE_AHEAD = 3
"""Segments the order workers may make ahead of the inserts, besides one each in hand (each ~4 MB
of rows, packed): they go on while the customers' indexes are built, and the seed of a million
orders stays under 500 MB in all (8 cost 40 MB more and took it to 513 MB)."""
ORDER_TABLES = (orders, order_lines, payments, audit_events)
MAX_BUYERS = 20_000
EXISTING_SAMPLE = 5_000
T = TypeVar("T")


def seed(
    engine: Engine,
    plan: SeedPlan,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Add ``plan``'s data to the (already migrated) database behind ``engine``, in one transaction.

    Args:
        engine: from :func:`oms_core.storage.database.make_engine`.
        plan: how much to add, and the seed.
        clock: the time seeding happens (timestamps are relative to it); the system clock by default.
        progress: called with a short line as each stage starts (for a terminal).
    """
    plan.check()
    clock = clock or SystemClock()
    now = clock.now()
    say = progress or (lambda _line: None)
    started = time.perf_counter()
    with _without_cycle_collection(), connect(engine, write=True) as conn:
        ref = SqlReferenceRepository(conn, clock, True)
        _add_missing_reference(ref)

        say(f"products: {plan.products:,}")
        new_products = build_catalogue(
            random.Random(f"{plan.seed}:products"), plan.products, loading.existing_skus(conn)
        )
        next_id = loading.max_id(conn, products) + 1
        for offset, product in enumerate(new_products):
            product.id = next_id + offset

        order_rng = random.Random(f"{plan.seed}:orders")
        keep: set[int] = set()
        if plan.orders and plan.customers:
            keep = set(
                order_rng.sample(
                    range(plan.customers), min(plan.customers, max(200, 2 * plan.orders), MAX_BUYERS)
                )
            )
        factory = CustomerFactory(
            random.Random(f"{plan.seed}:customers"),
            PhonePool(random.Random(f"{plan.seed}:phones")),
            now,
            first_number=loading.reserve_numbers(conn, CUSTOMER_COUNTER, plan.customers)
            if plan.customers
            else 1,
            first_ids=(
                loading.max_id(conn, customers) + 1,
                loading.max_id(conn, addresses) + 1,
                loading.max_id(conn, cards) + 1,
            ),
            keep=keep,
            stamp=loading.converter(conn, customers, "created_at", plain=True),
        )
        counts = [0, 0, 0]
        placed = receipts = 0
        with contextlib.ExitStack() as workers:  # the order workers' pool, shut down on leaving
            orders_run: _OrdersRun | None = None
            with contextlib.ExitStack() as customer_load:
                if plan.customers:
                    rebuild = plan.customers >= loading.customer_count(conn)
                    customer_load.enter_context(
                        loading.big_load(conn, (customers, addresses, cards), rebuild_indexes=rebuild)
                    )
                    _insert_customers(conn, factory, plan.customers, counts, say)
                if new_products:  # in before any order line names them; their stock is written again below
                    rows = [_product_row(p) for p in new_products]
                    loading.insert_tuples(conn, products, tuple(rows[0]), [tuple(r.values()) for r in rows])
                if plan.orders:
                    say(f"orders: {plan.orders:,}")
                    # Started before the customers' indexes are built (as this block ends), so the
                    # workers make the first segments on the core that the index build leaves idle.
                    orders_run = _start_orders(
                        conn, plan, ref, factory.kept, new_products, order_rng, clock, now
                    )
                    workers.enter_context(contextlib.closing(orders_run.source))
                if plan.customers:
                    say("customers: building indexes" if rebuild else "customers: done")
            if orders_run is not None:
                placed, receipts = _insert_orders(conn, orders_run, plan.orders, say)
                if placed < plan.orders:  # nobody to sell to or nothing to sell: give the numbers back
                    loading.reserve_numbers(conn, ORDER_COUNTER, placed - plan.orders)
                _write_stock(
                    SqlProductRepository(conn, clock, True), orders_run.sold_from, orders_run.stock_before
                )
        conn.commit()
    say("refreshing the planner's statistics")
    loading.settle_after_load(engine, (customers, addresses, cards, products, *ORDER_TABLES))
    return SeedReport(
        counts[0],
        counts[1],
        counts[2],
        len(new_products),
        placed,
        time.perf_counter() - started,
        receipts,
    )


@dataclass(slots=True)
class _OrdersRun:
    """The orders of a seeding, under way: what they are made from and the worker's segments.

    Attributes:
        book: customers, products and reference data the orders are made from.
        sold_from: the products sold (their stock moves as orders are inserted).
        stock_before: each product's stock before the orders.
        stock_rng: the randomness of supplier deliveries, drawn in placing order.
        rebuild: the order tables' indexes are dropped and built again (a load at least their size).
        source: the workers' segments, in order (closing it shuts their pool down).
        made: ``source`` with its first segment already taken, which started the workers.
    """

    book: OrderBook
    sold_from: list[Product]
    stock_before: dict[int | None, int]
    stock_rng: random.Random
    rebuild: bool
    source: Generator[Made, None, None]
    made: Iterator[Made]


def _start_orders(
    conn: Connection,
    plan: SeedPlan,
    ref: SqlReferenceRepository,
    kept: list[Customer],
    new_products: list[Product],
    order_rng: random.Random,
    clock: Clock,
    now: datetime,
) -> _OrdersRun:
    """Plan the orders and start making them (the first segment is taken, so the workers run)."""
    sold_from = new_products or loading.sellable_products(conn, EXISTING_SAMPLE, clock)
    book = OrderBook(
        customers=kept or loading.active_customers(conn, EXISTING_SAMPLE, clock),
        products={p.id or 0: p for p in sold_from},
        types={t.code: t for t in ref.customer_types()},
        taxes=TaxTable(ref.tax_rates()),
        methods={m.code: m for m in ref.shipping_methods() if m.active},
        operators=[op.username for op in reference.OPERATORS],
    )
    stock_before = {p.id: p.stock_on_hand for p in sold_from}
    history = plan_history(order_rng, book, plan.orders)
    # The numbers are taken in one block; our transaction holds the counter until it commits.
    first_number = loading.reserve_numbers(conn, ORDER_COUNTER, plan.orders)
    rebuild = plan.orders >= loading.row_count(conn, orders)
    source = made_in_order(
        Maker(book, now, conn.dialect),
        _jobs(conn, history.segments, first_number),
        processes_for(len(history.segments)),
        ahead=MADE_AHEAD,
    )
    first = next(source, None)
    made: Iterator[Made] = iter(()) if first is None else itertools.chain([first], source)
    return _OrdersRun(book, sold_from, stock_before, random.Random(history.stock_seed), rebuild, source, made)


def _insert_orders(
    conn: Connection, run: _OrdersRun, wanted: int, say: Callable[[str], None]
) -> tuple[int, int]:
    """Insert every segment's rows as they come, taking stock in placing order; build the indexes.

    Returns:
        How many orders were placed, and how many supplier deliveries were received.
    """
    placed = receipts = 0
    with loading.big_load(conn, ORDER_TABLES, rebuild_indexes=run.rebuild):
        for made in run.made:
            if placed % 100_000 == 0 and placed:
                say(f"orders: {placed:,} of {wanted:,}")
            for table, columns, rows in (
                (orders, LOAD_COLUMNS[0], made.orders),
                (order_lines, LOAD_COLUMNS[1], made.lines),
                (payments, LOAD_COLUMNS[2], made.payments),
                (audit_events, EVENT_COLUMNS, made.events),
            ):
                loading.insert_tuples(conn, table, columns, rows, columns, ids_reserved=True)
            stock = [e for t in made.takings for e in take_stock(run.stock_rng, run.book.products, t)]
            received = [event_row(event) for event in stock]
            loading.insert_tuples(conn, audit_events, EVENT_COLUMNS, received)
            placed += len(made.orders)
            receipts += len(stock)
        say("orders: building indexes" if run.rebuild else "orders: done")
    return placed, receipts


def _insert_customers(
    conn: Connection, factory: CustomerFactory, count: int, counts: list[int], say: Callable[[str], None]
) -> None:
    """Make ``count`` customers and insert them, counting customers, addresses and cards in ``counts``.

    They are made in another process where worker processes are used (:func:`customers_made_apart`),
    else a batch ahead in a helper thread; the same customers either way.
    """
    made: Iterator[tuple[int, CustomerBatch]]
    if processes_for(-(-count // CHUNK)) > 1 and "fork" in multiprocessing.get_all_start_methods():
        made = customers_made_apart(factory, count, CHUNK)
    else:
        batches = range(0, count, CHUNK)
        made = _made_ahead((start, factory.batch(min(CHUNK, count - start))) for start in batches)
    for start, batch in made:
        if start % 100_000 == 0:
            say(f"customers: {start:,} of {count:,}")
        counts[0] += loading.insert_tuples(
            conn, customers, CUSTOMER_COLUMNS, batch.customers, prepared=("created_at", "updated_at")
        )
        counts[1] += loading.insert_tuples(conn, addresses, ADDRESS_COLUMNS, batch.addresses)
        counts[2] += loading.insert_tuples(conn, cards, CARD_COLUMNS, batch.cards)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Switch Python's cycle collector off for a load (and back on after, if it was on).

    A load makes and drops millions of rows (lists and tuples of plain values) that hold no
    reference cycles, so reference counting frees every one of them; the cycle collector would
    still walk them again and again as they pile up, which cost two to four times the reading of
    a worker's rows. Worker processes forked meanwhile start with it off too, and collect after
    each segment (:func:`oms_core.demo.segments.make`), so a cycle made there cannot pile up.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _jobs(conn: Connection, segments: list[Segment], first_number: int) -> Iterator[Job]:
    """A job per segment: numbers in one run from ``first_number``, ids reserved as each is made.

    PostgreSQL draws each segment's ids from the table's sequence; SQLite's follow the largest id
    (the write lock is ours), counted on here, since later segments are made before earlier ones
    are inserted.
    """
    next_id = loading.max_id(conn, orders) + 1
    number = first_number
    for segment in segments:
        count = len(segment.ages)
        if conn.dialect.name == "postgresql":
            ids: Sequence[int] = loading.reserve_ids(conn, orders, count)
        else:
            ids = range(next_id, next_id + count)
            next_id += count
        yield Job(segment, number, ids)
        number += count


def _made_ahead(made: Iterator[T]) -> Iterator[T]:
    """``made``'s items, made by a helper thread one or two items ahead of the inserts.

    SQLite and psycopg do their inserting with the interpreter lock released, so making the next
    batch meanwhile keeps the second core busy. One thread makes every item in order, so the data
    is the same as without it; at most two finished items wait, so memory stays bounded.
    """
    ready: queue.Queue[tuple[T] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in made:
                if stop.is_set():
                    return
                ready.put((item,))
            ready.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            ready.put(exc)

    worker = threading.Thread(target=produce, name="oms-seed-generator", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item[0]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        worker.join()


def _add_missing_reference(ref: SqlReferenceRepository) -> None:
    """Add the demo office's reference data where the database has none of its own."""
    types = {t.code for t in ref.customer_types()}
    for customer_type in reference.CUSTOMER_TYPES:
        if customer_type.code not in types:
            ref.save_customer_type(customer_type)
    methods = {m.code for m in ref.shipping_methods()}
    for method in reference.SHIPPING_METHODS:
        if method.code not in methods:
            ref.save_shipping_method(method)
    regions = {r.region for r in ref.tax_rates()}
    for rate in reference.TAX_RATES:
        if rate.region not in regions:
            ref.save_tax_rate(rate)
    for key, value in reference.SETTINGS.items():
        if ref.setting(key) is None:
            ref.save_setting(key, value)
    for operator in reference.OPERATORS:
        if ref.operator(operator.username) is None:
            ref.save_operator(operator)


def _write_stock(
    repo: SqlProductRepository, sold_from: list[Product], stock_before: dict[int | None, int]
) -> None:
    """Apply to the stored products how their stock moved: sold, received from suppliers, put back
    by cancellations (one update per product; none of them ends below zero).
    """
    for product in sold_from:
        moved = product.stock_on_hand - stock_before[product.id]
        if product.id is None or moved == 0:
            continue
        if moved > 0:
            repo.restock(product.id, moved)
        elif not repo.take_stock(product.id, -moved, allow_backorder=False):
            raise AssertionError(f"seeding would leave {product.sku} below zero")  # receipts prevent it


def _product_row(product: Product) -> dict[str, object]:
    """The product's row as the repository writes it, with its id and stock."""
    return {"id": product.id, **product_values(product), "stock_on_hand": product.stock_on_hand}
