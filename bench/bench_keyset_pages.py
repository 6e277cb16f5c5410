"""Keyset pages deep into a list cost what the first page does: club shipments and customer search.

A database of its own (a SQLite file in the temp folder; on PostgreSQL a database named
``oms_bench_keyset_pages``, dropped afterwards) gets ``--customers`` customers from ``oms seed``
and ``--batches`` club shipments. Then, several rounds:

- the club shipments list (``ClubService.list``, pages of 50, newest first): the first page beside
  the last one, reached by keyset (``TimePosition``), and beside the OFFSET query the list used
  to run for that last page (raw SQL on the same connection pool);
- a customer search for a common last-name prefix (``CustomerService.search_page``, pages of 50):
  page 1 beside page ``--search-page``, reached by keyset (``SearchPosition``).

The floor is the first page of the same list in the same run; read the ratios.

    .venv/bin/python bench/bench_keyset_pages.py [--backend sqlite|postgresql|both]
        [--customers 100000] [--batches 10000] [--rounds 5] [--search-page 50]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine, TextClause

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "oms_bench_keyset_pages"
PAGE = 50


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _seed(url: str, customers: int, batches: int) -> None:
    command = [sys.executable, "-m", "oms_tui.cli", "--db", url, "seed"]
    command += ["--customers", str(customers), "--products", "10", "--seed", "7"]
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    from oms_core.bootstrap import Config, build
    from oms_core.domain.batches import Batch, BatchKind

    application = build(Config(url, operator="bench"))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with application.uow_factory(write=True) as uow:
        for index in range(batches):
            at = start + timedelta(minutes=index // 3)  # three shipments a minute: ties in time
            uow.batches.add(
                Batch(None, BatchKind.CLUB, f"Shipment {index}", (("SKU", 1),), "GROUND",
                      created_by="bench", created_at=at, updated_at=at)
            )  # fmt: skip
        uow.commit()
    application.close()


def _common_prefix(engine: Engine) -> str:
    """The two-letter last-name prefix most customers share."""
    from sqlalchemy import text

    with engine.connect() as conn:
        keys = [row[0][:2] for row in conn.execute(text("SELECT last_key FROM customers"))]
    return Counter(keys).most_common(1)[0][0]


def run(backend: str, url: str, options: argparse.Namespace) -> None:
    """Seed, then time first and deep pages of both lists, interleaved, several rounds."""
    from sqlalchemy import text

    from oms_core.bootstrap import Config, build
    from oms_core.read_models import TimePosition
    from oms_core.storage.database import make_engine

    print(
        f"{backend}: seeding {options.customers:,} customers and {options.batches:,} shipments ...",
        flush=True,
    )
    _seed(url, options.customers, options.batches)
    application = build(Config(url, operator="bench"))
    clubs, customers = application.services.clubs, application.services.customers
    raw = make_engine(url)  # the floor's own connections, as the old OFFSET query ran
    prefix = _common_prefix(raw)

    # Where the last page of shipments and page N of the search start (found once by walking).
    after = None
    pages = 0
    while True:
        page = clubs.list(PAGE, after)
        pages += 1
        if len(page) < PAGE:
            break
        last_after, after = after, TimePosition.after(page[-1])
    if not page:  # the count was a multiple of the page: the last page is the one before
        after = last_after
        pages -= 1
    last_start = after
    search_after = None
    for _ in range(options.search_page - 1):
        found = customers.search_page(prefix, PAGE, search_after)
        if found.next is None:
            break
        search_after = found.next
    offset_sql = text(
        "SELECT * FROM batches WHERE kind = 'club' ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET :skip"
    )
    keyset_sql = text(
        "SELECT * FROM batches WHERE kind = 'club' AND (created_at, id) < (:at, :id) "
        "ORDER BY created_at DESC, id DESC LIMIT 50"
    )
    skip = (pages - 1) * PAGE
    with raw.connect() as conn:  # the time as stored, as storage binds it
        stored_at = conn.execute(
            text("SELECT created_at FROM batches WHERE id = :id"), {"id": last_start.id}
        ).scalar_one()

    def raw_page(sql: TextClause, params: dict[str, object]) -> Callable[[], None]:
        def read() -> None:
            with raw.connect() as conn:
                conn.execute(sql, params).fetchall()

        return read

    timings: dict[str, list[float]] = {}
    for _ in range(options.rounds):
        for name, call in (
            ("shipments page 1", lambda: clubs.list(PAGE)),
            (f"shipments page {pages} (keyset)", lambda: clubs.list(PAGE, last_start)),
            ("raw keyset query, last page", raw_page(keyset_sql, {"at": stored_at, "id": last_start.id})),
            ("raw OFFSET query, last page", raw_page(offset_sql, {"skip": skip})),
            ("search page 1", lambda: customers.search_page(prefix, PAGE)),
            (
                f"search page {options.search_page} (keyset)",
                lambda: customers.search_page(prefix, PAGE, search_after),
            ),
        ):
            timings.setdefault(name, []).append(_timed(call))
    names = list(timings)
    print(f"{backend}: {options.customers:,} customers, {options.batches:,} shipments, search {prefix!r}")
    for figure, floor in ((1, 0), (3, 2), (5, 4)):
        report(
            names[figure], median(timings[names[figure]]), median(timings[names[floor]]), "ms", names[floor]
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    application.close()
    raw.dispose()


def main() -> None:
    """Each backend asked for, in a database of its own, removed afterwards."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--search-page", type=int, default=50)
    options = parser.parse_args()
    if options.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="oms-bench-keyset-") as folder:
            run("sqlite", f"sqlite:///{Path(folder) / 'oms.db'}", options)
    if options.backend in ("postgresql", "both"):
        import psycopg

        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{PG_NAME}"')
        try:
            run("postgresql", f"{base}/{PG_NAME}", options)
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
