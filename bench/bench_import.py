"""Importing a 10,000-row order file end to end on SQLite, beside openpyxl's bare read-only parse.

The file has 10,000 recipients with three SKUs each. Each run:

* floor: ``openpyxl.load_workbook(read_only=True, data_only=True)`` and every row read with
  ``iter_rows(values_only=True)``, nothing else;
* import: what ``oms import orders FILE --yes`` does after the dry run: the safety checks, the
  reader, the checks against the catalogue, placing the 10,000 orders (one card payment for the
  whole file) in one transaction, and the commit, on a fresh copy of a seeded SQLite database.

Median of RUNS runs each, alternating. The split of the import's time is printed too.

    .venv/bin/python bench/bench_import.py [--runs 5] [--rows 10000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import openpyxl

from oms_core.bootstrap import Config, build, upgrade_database
from oms_core.domain.customers import Address, CustomerType
from oms_core.domain.payments import CardEntry, PaymentMethod
from oms_core.domain.products import Product
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from oms_core.spreadsheets.columns import template_headers
from oms_core.spreadsheets.reader import read_order_file

SKUS = ("BENCH-RED", "BENCH-WHITE", "BENCH-BOX")
STATES = (("CA", "94103", "San Francisco"), ("NY", "10004", "New York"), ("OR", "97205", "Portland"))
TARGET = 1.5


def make_file(path: Path, rows: int) -> None:
    """The order file: template headers, ``rows`` recipients, three SKUs each."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(template_headers(3))
    for i in range(rows):
        state, zip_code, city = STATES[i % len(STATES)]
        sheet.append(
            [f"First{i}", f"Last{i}", "", f"{i} Market St", "", city, state, int(zip_code), "", "", "",
             "GROUND", "", "Happy holidays!", SKUS[0], 1 + i % 3, SKUS[1], 2, SKUS[2], 1]
        )  # fmt: skip
    workbook.save(path)


def make_database(path: Path) -> int:
    """A seeded SQLite database: reference data, the three products, a purchaser with a card."""
    url = f"sqlite:///{path}"
    upgrade_database(url)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    with application.uow_factory(write=True) as uow:
        uow.reference.save_customer_type(
            CustomerType(None, "RETAIL", "Retail", payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}))
        )
        uow.reference.save_shipping_method(
            ShippingMethod(None, "GROUND", "Ground", RateKind.FLAT, Decimal("9.95"))
        )
        for state, _, _ in STATES:
            uow.reference.save_tax_rate(TaxRate(state, Decimal("0.0725"), taxes_shipping=False))
        for sku in SKUS:
            uow.products.add(Product(None, sku, sku.title(), Decimal("19.99"), stock_on_hand=10_000_000))
        uow.commit()
    buyer = application.services.customers.create(
        CustomerInput(
            first_name="Pat",
            last_name="Buyer",
            address=Address(
                name="Pat Buyer", address1="1 Corp Way", city="Portland", state="OR", zip="97205"
            ),
        ),
        allow_duplicate=True,
    ).customer
    assert buyer is not None
    application.services.customers.add_card(buyer.id, CardEntry("4111111111111111", 12, 2030))
    application.close()
    return buyer.id


def bare_parse(path: Path) -> tuple[float, float]:
    """openpyxl's read-only parse of every row, values only: (wall, CPU) seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _ in workbook["Orders"].iter_rows(values_only=True):
        pass
    workbook.close()
    return time.perf_counter() - started, time.process_time() - cpu


def import_file(
    path: Path, seeded: Path, work: Path, purchaser: int, split: dict[str, list[float]]
) -> tuple[float, float]:
    """Read and import the file on a fresh copy of the seeded database: (wall, CPU) seconds."""
    database = work / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy(seeded, database)
    application = build(Config(f"sqlite:///{database}", operator="bench"), gateway=TestGateway())
    services = application.services
    payment = services.imports.choose_payment(purchaser, "card_on_file")
    marks: dict[str, float] = {}

    def progress(stage: str, _done: int, _total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    started, cpu = time.perf_counter(), time.process_time()
    parsed = read_order_file(path)
    read_done = time.perf_counter()
    result = services.imports.run(parsed, purchaser, payment, one_payment=True, progress=progress)
    finished, cpu = time.perf_counter(), time.process_time() - cpu
    assert result.orders == len(parsed.rows), (result, parsed.problems[:3])
    split["read"].append(read_done - started)
    split["check"].append(marks["placing"] - marks["checking"])
    split["place"].append(marks["saving"] - marks["placing"])
    split["commit"].append(marks["done"] - marks["saving"])
    application.close()
    return finished - started, cpu


def main() -> None:
    """Build the file and the database once, then time both sides RUNS times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="profile one import and print the top entries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "orders.xlsx"
        make_file(path, args.rows)
        seeded = work / "seeded.db"
        purchaser = make_database(seeded)
        print(f"file: {args.rows:,} rows x 3 SKUs, {path.stat().st_size / 1e6:.1f} MB; {args.runs} runs each")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            import_file(path, seeded, work, purchaser, {k: [] for k in ("read", "check", "place", "commit")})
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return
        bare: list[tuple[float, float]] = []
        full: list[tuple[float, float]] = []
        split: dict[str, list[float]] = {k: [] for k in ("read", "check", "place", "commit")}
        for _ in range(args.runs):
            bare.append(bare_parse(path))
            full.append(import_file(path, seeded, work, purchaser, split))
        for index, clock in ((0, "wall"), (1, "CPU")):
            floor = statistics.median(b[index] for b in bare)
            figure = statistics.median(f[index] for f in full)
            ratio = figure / floor
            verdict = "met" if ratio <= TARGET else "NOT met"
            print(
                f"import end to end ({clock}): {figure:.3f} s  |  floor (bare openpyxl read-only parse): "
                f"{floor:.3f} s  |  ratio {ratio:.2f}x (target {TARGET}x: {verdict})"
            )
        print(
            "  split (wall medians): "
            + ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in split.items())
        )


if __name__ == "__main__":
    main()
