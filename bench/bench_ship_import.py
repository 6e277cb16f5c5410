"""``oms ship import`` of a day's shipping confirmations, against recording the same shipments one by
one as the Order screen's ``s`` does (SQLite).

A fresh SQLite database seeded with ORDERS placed orders, all released, is copied twice. On one copy
the file (one row per order line, quantity ``all``, one tracking number per order) is dry-run, then
imported: one write transaction for every shipment, the captures after it. On the other copy, the
floor: the same shipments through ``FulfilmentService.ship``, one transaction each. Both capture
(the seeded orders' authorisations are not the test gateway's, so each capture is one refused call:
the same work on both sides). Figures are seconds per run, medians of RUNS.

    .venv/bin/python bench/bench_ship_import.py [--orders 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, report  # noqa: E402

from oms_core import bootstrap  # noqa: E402
from oms_core.demo.plan import SeedPlan  # noqa: E402
from oms_core.domain.fulfilment import ShipRequest  # noqa: E402
from oms_core.read_models import OrderFilter, OrderPosition  # noqa: E402
from oms_core.spreadsheets.ship_reader import read_ship_file  # noqa: E402


def make_office(folder: Path, orders: int) -> tuple[Path, Path]:
    """A seeded database with every placed order released, and the warehouse's file for them."""
    path = folder / "seed.db"
    url = f"sqlite:///{path}"
    bootstrap.seed_database(
        url, SeedPlan(customers=max(50, orders // 4), products=60, orders=orders, seed=11)
    )
    application = bootstrap.build(bootstrap.Config(url, operator="root"))
    rows = ["Order Number,SKU,Quantity,Carrier,Service,Tracking Number,Ship Date"]
    try:
        services = application.services
        services.fulfilment.release_all_placed()
        after = None
        while page := services.orders.list(OrderFilter(status="released"), 200, after):
            for summary in page:
                for line in services.orders.get(summary.id).lines:
                    rows.append(
                        f"{summary.number},{line.sku},all,UPS,Ground,1Z{summary.number:010d},2026-11-27"
                    )
            after = OrderPosition.after(page[-1])
    finally:
        application.close()
    file = folder / "confirmations.csv"
    file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, file


def timed_import(database: Path, file: Path) -> float:
    application = bootstrap.build(bootstrap.Config(f"sqlite:///{database}", operator="root"))
    try:
        started = time.perf_counter()
        parsed = read_ship_file(file)
        service = application.services.ship_import
        preview = service.dry_run(parsed)
        assert preview.ok, preview.problems[:3]
        result = service.run(parsed)
        elapsed = time.perf_counter() - started
        assert len(result.recorded) == len(preview.new)
        return elapsed
    finally:
        application.close()


def timed_one_by_one(database: Path) -> float:
    application = bootstrap.build(bootstrap.Config(f"sqlite:///{database}", operator="root"))
    try:
        services = application.services
        ids = []
        after = None
        while page := services.orders.list(OrderFilter(status="released"), 200, after):
            ids += [(s.id, s.number) for s in page]
            after = OrderPosition.after(page[-1])
        started = time.perf_counter()
        for order_id, number in ids:
            services.fulfilment.ship(order_id, ShipRequest("UPS", "Ground", f"1Z{number:010d}"))
        return time.perf_counter() - started
    finally:
        application.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seed, file = make_office(folder, args.orders)
        imports, floors = [], []
        for run in range(args.runs):
            for name, work in (("import", imports), ("floor", floors)):
                copy = folder / f"{name}-{run}.db"
                shutil.copy(seed, copy)
                work.append(timed_import(copy, file) if name == "import" else timed_one_by_one(copy))
        lines = sum(1 for _ in file.open()) - 1
        print(f"{args.orders} orders, {lines} rows; load average {os.getloadavg()[0]:.1f}")
        report(
            "ship import (dry run + run + captures)", median(imports), median(floors), "s", "one ship() each"
        )


if __name__ == "__main__":
    main()
