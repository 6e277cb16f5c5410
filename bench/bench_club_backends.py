"""A club shipment to 10,000 members on SQLite and on PostgreSQL, and the result listing after it.

Each run seeds a fresh database of each backend as ``bench_club.py`` does (members over every
state, a card on file each, a shipment of three SKUs), then times ``ClubService.process`` end to
end and, after it, the result listing: every member read back in keyset pages
(``ClubService.members``) of the size ``oms club process`` reads them in to print them
(``oms_tui.cli.batches.PAGE``, 1,000; the screen reads one page of 100 at a time, as the operator
scrolls). Then a bulk order (``oms bulk``: one gift, same SKU, for every member) on the same
database, timed the same way (``BulkService.run``). The figures: PostgreSQL's orders/s beside
SQLite's on the same machine, same run (target: PostgreSQL within 1.5x of SQLite), for the club
shipment and for the bulk run, and the listing time (target: under 1 s).

    .venv/bin/python bench/bench_club_backends.py [--runs 3] [--members 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_club import SKUS, make_database_at  # noqa: E402
from stats import report  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_tui.cli.batches import PAGE  # noqa: E402

PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _fresh_postgres(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def _drop_postgres(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def one_run(url: str, members: int) -> tuple[float, float, float]:
    """(club orders/s, seconds to list every member's result, bulk orders/s) on a fresh database at
    ``url``.
    """
    shipment_id = make_database_at(url, members)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    try:
        started = time.perf_counter()
        result = application.services.clubs.process(shipment_id)
        rate = result.placed / (time.perf_counter() - started)
        assert result.failed == 0 and result.skipped == 0, result
        started = time.perf_counter()
        listed: list[int] = []
        after = None
        while page := application.services.clubs.members(shipment_id, None, PAGE, after):
            listed += [row.customer_id for row in page]
            after = page[-1].customer_id
        listing = time.perf_counter() - started
        assert len(listed) == members, len(listed)
        bulk = application.services.bulk.create("Holiday gift", [(SKUS[2][0], 1)], "GROUND", listed)
        started = time.perf_counter()
        gifts = application.services.bulk.run(bulk.id)
        bulk_rate = gifts.placed / (time.perf_counter() - started)
        assert gifts.placed == members, gifts
    finally:
        application.close()
    return rate, listing, bulk_rate


def main() -> None:
    """Alternate the backends, RUNS times each, and print the medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    listings: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    bulk_rates: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            sqlite_url = f"sqlite:///{Path(folder) / f'club{run}.db'}"
            name = f"oms_bench_club_{os.getpid()}_{run}"
            for backend, url in (("sqlite", sqlite_url), ("postgresql", _fresh_postgres(name))):
                try:
                    rate, listing, bulk_rate = one_run(url, args.members)
                finally:
                    if backend == "postgresql":
                        _drop_postgres(name)
                rates[backend].append(rate)
                listings[backend].append(listing)
                bulk_rates[backend].append(bulk_rate)
                print(
                    f"run {run + 1} {backend}: club {rate:,.0f} orders/s, result listing {listing:.3f} s, "
                    f"bulk {bulk_rate:,.0f} orders/s (load average {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
    median = statistics.median
    sqlite_rate, pg_rate = median(rates["sqlite"]), median(rates["postgresql"])
    print(f"club shipment, {args.members:,} members, median of {args.runs}:")
    report("  PostgreSQL processing", pg_rate, sqlite_rate, "orders/s", "SQLite, same machine, same run")
    print(f"  SQLite is {sqlite_rate / pg_rate:.2f}x PostgreSQL's rate (target: within 1.5x)")
    sqlite_bulk, pg_bulk = median(bulk_rates["sqlite"]), median(bulk_rates["postgresql"])
    print(f"bulk order of {args.members:,} customers, median of {args.runs}:")
    report("  PostgreSQL bulk run", pg_bulk, sqlite_bulk, "orders/s", "SQLite, same machine, same run")
    print(f"  SQLite is {sqlite_bulk / pg_bulk:.2f}x PostgreSQL's rate (target: within 1.5x)")
    for backend in ("sqlite", "postgresql"):
        listing = median(listings[backend])
        print(f"  result listing of {args.members:,} members, {backend}: {listing:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
