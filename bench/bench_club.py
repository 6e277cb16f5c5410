"""A club shipment to 10,000 members on SQLite, beside raw sqlite3 inserting the same rows.

Each run makes a fresh SQLite database seeded with reference data, three products and MEMBERS club
members (each with a default address and a card on file), creates a shipment of three SKUs, and
copies the file. Then, on the two copies:

* processing: ``ClubService.process`` end to end (members in every state and DC): members read,
  customers and products loaded, club prices, tax, shipping, stock allocated and taken, each card
  authorised by the test gateway, order numbers, orders, lines, payments, audit events and member
  statuses written, a commit per chunk (sized by time, ~0.1 s each; ``--chunk N`` fixes it);
* floor: plain ``sqlite3`` ``executemany`` of the same orders, lines and payments (rows built before
  the clock starts, one transaction), on the other copy.

Prints orders per second for both and the ratio, the median of RUNS runs, by the wall clock and by
CPU time (the shared machine's load swings wall time; CPU time is steadier).

    .venv/bin/python bench/bench_club.py [--runs 5] [--members 10000] [--chunk 250] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from oms_core.bootstrap import Config, build, upgrade_database
from oms_core.domain.customers import CustomerType
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.products import Product
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate
from oms_core.payments.test_gateway import TestGateway
from oms_core.storage.customers import customer_key_values
from oms_core.storage.database import make_engine
from oms_core.storage.loading import insert_tuples, refresh_statistics, reserve_numbers
from oms_core.storage.tables import CUSTOMER_COUNTER, addresses, cards, customers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import report  # noqa: E402

CLUB = "CELLAR"
SKUS = (("CLUB-RED", "3500", 2), ("CLUB-WHITE", "2250", 2), ("CLUB-OPENER", "999", 1))
# Members are spread over every state (and DC), as a national club's are: orders alike in state are
# priced once per chunk, so fewer states would flatter the figure.
STATES = (
    ("AL", "35203", "Birmingham"),
    ("AK", "99501", "Anchorage"),
    ("AZ", "85004", "Phoenix"),
    ("AR", "72201", "Little Rock"),
    ("CA", "94103", "San Francisco"),
    ("CO", "80202", "Denver"),
    ("CT", "06103", "Hartford"),
    ("DE", "19801", "Wilmington"),
    ("DC", "20001", "Washington"),
    ("FL", "33130", "Miami"),
    ("GA", "30303", "Atlanta"),
    ("HI", "96813", "Honolulu"),
    ("ID", "83702", "Boise"),
    ("IL", "60601", "Chicago"),
    ("IN", "46204", "Indianapolis"),
    ("IA", "50309", "Des Moines"),
    ("KS", "66603", "Topeka"),
    ("KY", "40202", "Louisville"),
    ("LA", "70112", "New Orleans"),
    ("ME", "04101", "Portland"),
    ("MD", "21201", "Baltimore"),
    ("MA", "02108", "Boston"),
    ("MI", "48226", "Detroit"),
    ("MN", "55401", "Minneapolis"),
    ("MS", "39201", "Jackson"),
    ("MO", "63101", "St Louis"),
    ("MT", "59601", "Helena"),
    ("NE", "68102", "Omaha"),
    ("NV", "89101", "Las Vegas"),
    ("NH", "03301", "Concord"),
    ("NJ", "07102", "Newark"),
    ("NM", "87102", "Albuquerque"),
    ("NY", "10004", "New York"),
    ("NC", "27601", "Raleigh"),
    ("ND", "58102", "Fargo"),
    ("OH", "43215", "Columbus"),
    ("OK", "73102", "Oklahoma City"),
    ("OR", "97205", "Portland"),
    ("PA", "19103", "Philadelphia"),
    ("RI", "02903", "Providence"),
    ("SC", "29201", "Columbia"),
    ("SD", "57104", "Sioux Falls"),
    ("TN", "37203", "Nashville"),
    ("TX", "78701", "Austin"),
    ("UT", "84101", "Salt Lake"),
    ("VT", "05401", "Burlington"),
    ("VA", "23219", "Richmond"),
    ("WA", "98101", "Seattle"),
    ("WV", "25301", "Charleston"),
    ("WI", "53202", "Milwaukee"),
    ("WY", "82001", "Cheyenne"),
)
NO_SALES_TAX = {"AK", "DE", "MT", "NH", "OR"}
TARGET = 5_000
CUSTOMER_COLUMNS = tuple(c.name for c in customers.columns)
ADDRESS_COLUMNS = tuple(c.name for c in addresses.columns)


def make_database(path: Path, members: int) -> int:
    """Seed a fresh SQLite database; return the shipment's id."""
    return make_database_at(f"sqlite:///{path}", members)


def make_database_at(url: str, members: int) -> int:
    """Seed a fresh (empty) database at ``url``; return the shipment's id."""
    upgrade_database(url)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    with application.uow_factory(write=True) as uow:
        uow.reference.save_customer_type(
            CustomerType(
                None,
                CLUB,
                "Cellar Club",
                discount_percent=Decimal("10"),
                payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}),
                is_club=True,
            )
        )
        uow.reference.save_shipping_method(
            ShippingMethod(None, "GROUND", "Ground", RateKind.FLAT, Decimal("12.95"))
        )
        uow.reference.save_shipping_method(ShippingMethod(None, "WILLCALL", "Will call", RateKind.PICKUP))
        for state, _, _ in STATES:
            rate = Decimal(0) if state in NO_SALES_TAX else Decimal("0.0725")
            uow.reference.save_tax_rate(TaxRate(state, rate, taxes_shipping=state == "NY"))
        for sku, cents, _ in SKUS:
            uow.products.add(
                Product(
                    None, sku, sku.title(), Decimal(cents) / 100, weight_lb=Decimal(3), stock_on_hand=10**9
                ),
            )
        uow.commit()
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        first = reserve_numbers(conn, CUSTOMER_COUNTER, members)
        people = [
            {"first_name": f"Member{i}", "last_name": "Cellar", "email": f"m{i}@example.com"}
            for i in range(1, members + 1)
        ]
        insert_tuples(
            conn,
            customers,
            CUSTOMER_COLUMNS,
            (
                (i, f"C{first + i - 1:06d}", p["first_name"], p["last_name"], "", p["email"], "", "", CLUB,
                 False, "", "active", i % 20 == 0, 1, now, now, *customer_key_values(p).values())
                for i, p in enumerate(people, start=1)
            ),
        )  # fmt: skip
        insert_tuples(
            conn,
            addresses,
            ADDRESS_COLUMNS,
            (
                (i, i, "", f"Member{i} Cellar", "", f"{i} Vine St", "", STATES[i % len(STATES)][2],
                 STATES[i % len(STATES)][0], STATES[i % len(STATES)][1], "US", "", True, True)
                for i in range(1, members + 1)
            ),
        )  # fmt: skip
        insert_tuples(
            conn,
            cards,
            ("id", "customer_id", "token", "brand", "last4", "exp_month", "exp_year"),
            ((i, i, f"tok_test_1111_{i:08x}", "Visa", "1111", 12, 2031) for i in range(1, members + 1)),
        )
        if conn.dialect.name == "postgresql":
            # As `oms seed` does, and autovacuum would have long before a club ships: without
            # statistics PostgreSQL reads every address and card to find a chunk's 50.
            refresh_statistics(conn, (customers, addresses, cards))
    engine.dispose()
    shipment = application.services.clubs.create_shipment(
        "Bench release", CLUB, [(sku, qty) for sku, _, qty in SKUS], date(2026, 10, 1), "GROUND"
    )
    application.close()
    return shipment.id


def run_processing(
    path: Path, shipment_id: int, profile: bool, chunk: int | None
) -> tuple[float, float, int]:
    """Process the shipment; return (wall seconds, CPU seconds, orders placed)."""
    application = build(Config(f"sqlite:///{path}", operator="bench"), gateway=TestGateway())
    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = application.services.clubs.process(shipment_id, chunk_size=chunk)
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    application.close()
    assert result.failed == 0 and result.skipped == 0, result
    return seconds, cpu, result.placed


ORDER_COLUMNS = (
    "id number status source customer_id operator bill_name bill_address1 bill_city bill_state bill_zip"
    " bill_country ship_name ship_address1 ship_city ship_state ship_zip ship_country shipping_method"
    " shipping_cents shipping_tax_cents subtotal_cents tax_cents total_cents payment_method payment_card_id"
    " payment_token payment_brand payment_last4 payment_exp_month payment_exp_year gift_message notes"
    " batch_key created_at updated_at placed_at version"
).split()
LINE_COLUMNS = (
    "order_id position product_id sku name quantity unit_price_cents override_reason taxable weight_lb"
    " line_tax_cents"
).split()
PAYMENT_COLUMNS = (
    "order_id method amount_cents status reference token brand last4 exp_month exp_year check_number"
    " created_at"
).split()


def floor_rows(path: Path, members: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The orders, lines and payments processing writes, as plain tuples, ids given."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        products = {row.sku: row.id for row in conn.execute(text("SELECT id, sku FROM products"))}
    engine.dispose()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    orders, lines, payments = [], [], []
    for i in range(1, members + 1):
        state, zip_code, city = STATES[i % len(STATES)]
        name, street, token = f"Member{i} Cellar", f"{i} Vine St", f"tok_test_1111_{i:08x}"
        address = (name, street, city, state, zip_code, "US")
        orders.append(
            (i, 1000 + i, "placed", "club", i, "bench", *address, *address, "GROUND", 1295, 0, 9333, 677,
             11305, "card_on_file", i, token, "Visa", "1111", 12, 2031, "", "Club shipment: Bench release",
             f"club:1:{i}", now, now, now, 1)
        )  # fmt: skip
        for position, (sku, cents, qty) in enumerate(SKUS):
            price = int(cents) * 9 // 10
            lines.append((i, position, products[sku], sku, sku.title(), qty, price, "", 1, "3.000", 0))
        payments.append(
            (i, "card_on_file", 11305, "authorized", f"auth_{i}", token, "Visa", "1111", 12, 2031, "", now)
        )
    return orders, lines, payments


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def run_floor(path: Path, rows: tuple[list[tuple], list[tuple], list[tuple]]) -> tuple[float, float]:
    """Raw sqlite3: the same rows in one transaction; return (wall, CPU) seconds."""
    orders, lines, payments = rows
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(_insert("orders", ORDER_COLUMNS), orders)
    conn.executemany(_insert("order_lines", LINE_COLUMNS), lines)
    conn.executemany(_insert("payments", PAYMENT_COLUMNS), payments)
    conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return seconds, cpu


def main() -> None:
    """Run the benchmark and print the median figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="profile one processing run and stop")
    parser.add_argument(
        "--chunk", type=int, default=None, help="members per transaction (default: sized by time)"
    )
    args = parser.parse_args()
    rates, floors, cpu_rates, cpu_floors = [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.db"
        shipment_id = make_database(seeded, args.members)
        rows = floor_rows(seeded, args.members)
        for run in range(1 if args.profile else args.runs):
            ours, raw = Path(folder) / f"ours{run}.db", Path(folder) / f"raw{run}.db"
            shutil.copyfile(seeded, ours)
            shutil.copyfile(seeded, raw)
            seconds, cpu, placed = run_processing(ours, shipment_id, args.profile, args.chunk)
            if args.profile:
                return
            floor_seconds, floor_cpu = run_floor(raw, rows)
            rates.append(placed / seconds)
            cpu_rates.append(placed / cpu)
            floors.append(args.members / floor_seconds)
            cpu_floors.append(args.members / floor_cpu)
            print(
                f"run {run + 1}: {rates[-1]:,.0f} orders/s wall, {cpu_rates[-1]:,.0f} CPU"
                f"  (floor {floors[-1]:,.0f} wall, {cpu_floors[-1]:,.0f} CPU)"
            )
    median = statistics.median
    report(
        f"club shipment, {args.members:,} members, wall",
        median(rates),
        median(floors),
        "orders/s",
        "raw sqlite3",
    )
    report(
        f"club shipment, {args.members:,} members, CPU",
        median(cpu_rates),
        median(cpu_floors),
        "orders/s",
        "raw sqlite3",
    )
    print(f"target >= {TARGET:,} orders/s (wall): {'met' if median(rates) >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
