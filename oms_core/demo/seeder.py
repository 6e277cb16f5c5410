"""Loading demo data into a database: reference data, catalogue, customers and order history.

Everything goes in one write transaction (``BEGIN IMMEDIATE`` on SQLite): customers, addresses and
cards as ready tuples through :func:`oms_core.storage.loading.insert_tuples` in chunks, orders through
the order repository's bulk insert. The database is asked nothing per customer.

Seeding adds to what is there: customer and order numbers continue from the counters, ids from the
largest ids, SKUs skip those already in the catalogue, and reference data (customer types, shipping
methods, tax rates, settings, operators) is only added where missing, so an office's own edits stay.
The same plan and seed give the same data on the same starting database (timestamps are relative to
the clock).
"""

from __future__ import annotations

import contextlib
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from sqlalchemy import Engine

from oms_core.clock import SystemClock
from oms_core.demo import reference
from oms_core.demo.catalogue import build_catalogue
from oms_core.demo.orders import OrderBook, SeededOrder, make_orders
from oms_core.demo.people import (
    ADDRESS_COLUMNS,
    CARD_COLUMNS,
    CUSTOMER_COLUMNS,
    CustomerBatch,
    CustomerFactory,
)
from oms_core.demo.phones import PhonePool
from oms_core.demo.plan import SeedPlan, SeedReport
from oms_core.domain.audit import AuditEvent
from oms_core.domain.products import Product
from oms_core.domain.tax import TaxTable
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import Clock
from oms_core.storage import loading
from oms_core.storage.audit import SqlAuditRepository
from oms_core.storage.database import connect
from oms_core.storage.orders import SqlOrderRepository
from oms_core.storage.products import SqlProductRepository, product_values
from oms_core.storage.reference import SqlReferenceRepository
from oms_core.storage.tables import CUSTOMER_COUNTER, addresses, cards, customers, products

CHUNK = 20_000
MAX_BUYERS = 20_000
EXISTING_SAMPLE = 5_000


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
    with connect(engine, write=True) as conn:
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
                for start, batch in _batches_ahead(factory, plan.customers):
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

        made: list[SeededOrder] = []
        if plan.orders:
            say(f"orders: {plan.orders:,}")
            existing_products = (
                [] if new_products else loading.sellable_products(conn, EXISTING_SAMPLE, clock)
            )
            stock_before = {p.id: p.stock_on_hand for p in existing_products}
            book = OrderBook(
                customers=factory.kept or loading.active_customers(conn, EXISTING_SAMPLE, clock),
                products={p.id or 0: p for p in (new_products or existing_products)},
                types={t.code: t for t in ref.customer_types()},
                taxes=TaxTable(ref.tax_rates()),
                methods={m.code: m for m in ref.shipping_methods() if m.active},
                operators=[op.username for op in reference.OPERATORS],
            )
            order_repo = SqlOrderRepository(conn, clock, True)
            made = make_orders(
                order_rng, book, plan.orders, order_repo.next_number, TestGateway(today=now), now
            )
            _take_existing_stock(SqlProductRepository(conn, clock, True), existing_products, stock_before)

        if new_products:
            rows = [_product_row(p) for p in new_products]
            loading.insert_tuples(conn, products, tuple(rows[0]), [tuple(row.values()) for row in rows])
        if made:
            order_repo.add_many([m.order for m in made])
            SqlAuditRepository(conn, clock, True).add_many(
                [_with_order_id(event, m) for m in made for event in m.events]
            )
        conn.commit()
    return SeedReport(
        counts[0], counts[1], counts[2], len(new_products), len(made), time.perf_counter() - started
    )


def _batches_ahead(factory: CustomerFactory, total: int) -> Iterator[tuple[int, CustomerBatch]]:
    """The factory's batches, made by a helper thread one or two batches ahead of the inserts.

    SQLite does its inserting with the interpreter lock released, so generating the next batch
    meanwhile keeps the second core busy. One thread makes every batch in order, so the data is
    the same as without it.
    """
    ready: queue.Queue[tuple[int, CustomerBatch] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for start in range(0, total, CHUNK):
                if stop.is_set():
                    return
                ready.put((start, factory.batch(min(CHUNK, total - start))))
            ready.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            ready.put(exc)

    worker = threading.Thread(target=produce, name="oms-seed-generator", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
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


def _take_existing_stock(
    repo: SqlProductRepository, sold_from: list[Product], stock_before: dict[int | None, int]
) -> None:
    """Apply to stored products the stock the seeded orders took (one update per product)."""
    for product in sold_from:
        taken = stock_before[product.id] - product.stock_on_hand
        if taken > 0 and product.id is not None:
            # The orders were only made from stock on hand or backorderable products, so the
            # unguarded form is right here.
            repo.take_stock(product.id, taken, allow_backorder=True)


def _product_row(product: Product) -> dict[str, object]:
    """The product's row as the repository writes it, with its id and stock."""
    return {"id": product.id, **product_values(product), "stock_on_hand": product.stock_on_hand}


def _with_order_id(event: AuditEvent, seeded: SeededOrder) -> AuditEvent:
    return replace(event, order_id=seeded.order.id)
