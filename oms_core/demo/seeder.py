"""Loading demo data into a database: reference data, catalogue, customers and order history.

Everything goes in one write transaction (``BEGIN IMMEDIATE`` on SQLite): customers, addresses and
cards as ready tuples through :func:`oms_core.storage.loading.insert_tuples` in chunks; orders are
made segment by segment in worker processes as rows ready for the driver
(:mod:`oms_core.demo.segments`) while this process inserts them and takes stock in placing order.
The database is asked nothing per customer or order.

Seeding adds to what is there: customer and order numbers continue from the counters, ids from the
largest ids, SKUs skip those already in the catalogue, and reference data (customer types, shipping
methods, tax rates, settings, operators) is only added where missing, so an office's own edits stay.
The same plan and seed give the same data on the same starting database (timestamps are relative to
the clock).
"""

from __future__ import annotations

import contextlib
import gc
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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
    CustomerFactory,
)
from oms_core.demo.phones import PhonePool
from oms_core.demo.plan import SeedPlan, SeedReport
from oms_core.demo.segments import Job, Maker, made_in_order, processes_for
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
            stamp=loading.converter(conn, customers, "created_at"),
        )
        counts = [0, 0, 0]
        if plan.customers:
            rebuild = plan.customers >= loading.customer_count(conn)
            with loading.big_load(conn, (customers, addresses, cards), rebuild_indexes=rebuild):
                batches = (
                    (start, factory.batch(min(CHUNK, plan.customers - start)))
                    for start in range(0, plan.customers, CHUNK)
                )
                for start, batch in _made_ahead(batches):
                    if start % 100_000 == 0:
                        say(f"customers: {start:,} of {plan.customers:,}")
                    counts[0] += loading.insert_tuples(
                        conn,
                        customers,
                        CUSTOMER_COLUMNS,
                        batch.customers,
                        prepared=("created_at", "updated_at"),
                    )
                    counts[1] += loading.insert_tuples(conn, addresses, ADDRESS_COLUMNS, batch.addresses)
                    counts[2] += loading.insert_tuples(conn, cards, CARD_COLUMNS, batch.cards)
                say("customers: building indexes" if rebuild else "customers: done")

        if new_products:  # in before any order line names them; their stock is written again below
            rows = [_product_row(p) for p in new_products]
            loading.insert_tuples(conn, products, tuple(rows[0]), [tuple(row.values()) for row in rows])

        placed = receipts = 0
        if plan.orders:
            say(f"orders: {plan.orders:,}")
            existing_products = (
                [] if new_products else loading.sellable_products(conn, EXISTING_SAMPLE, clock)
            )
            sold_from = new_products or existing_products
            stock_before = {p.id: p.stock_on_hand for p in sold_from}
            book = OrderBook(
                customers=factory.kept or loading.active_customers(conn, EXISTING_SAMPLE, clock),
                products={p.id or 0: p for p in sold_from},
                types={t.code: t for t in ref.customer_types()},
                taxes=TaxTable(ref.tax_rates()),
                methods={m.code: m for m in ref.shipping_methods() if m.active},
                operators=[op.username for op in reference.OPERATORS],
            )
            history = plan_history(order_rng, book, plan.orders)
            stock_rng = random.Random(history.stock_seed)
            # The numbers are taken in one block; our transaction holds the counter until it commits.
            first_number = loading.reserve_numbers(conn, ORDER_COUNTER, plan.orders)
            jobs = _jobs(conn, history.segments, first_number)
            maker = Maker(book, now, conn.dialect)
            processes = processes_for(len(history.segments))
            rebuild = plan.orders >= loading.row_count(conn, orders)
            with loading.big_load(conn, ORDER_TABLES, rebuild_indexes=rebuild):
                for made in made_in_order(maker, jobs, processes):
                    if placed % 100_000 == 0 and placed:
                        say(f"orders: {placed:,} of {plan.orders:,}")
                    for table, columns, rows in (
                        (orders, LOAD_COLUMNS[0], made.orders),
                        (order_lines, LOAD_COLUMNS[1], made.lines),
                        (payments, LOAD_COLUMNS[2], made.payments),
                        (audit_events, EVENT_COLUMNS, made.events),
                    ):
                        loading.insert_tuples(conn, table, columns, rows, columns, ids_reserved=True)
                    stock = [e for t in made.takings for e in take_stock(stock_rng, book.products, t)]
                    received = [event_row(event) for event in stock]
                    rows = loading.driver_rows(conn.dialect, audit_events, EVENT_COLUMNS, received)
                    loading.insert_tuples(conn, audit_events, EVENT_COLUMNS, rows, EVENT_COLUMNS)
                    placed += len(made.orders)
                    receipts += len(stock)
                say("orders: building indexes" if rebuild else "orders: done")
            if placed < plan.orders:  # nobody to sell to or nothing to sell: give the numbers back
                loading.reserve_numbers(conn, ORDER_COUNTER, placed - plan.orders)
            _write_stock(SqlProductRepository(conn, clock, True), sold_from, stock_before)
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
