"""Customer search at a million customers: the search service beside the raw indexed query.

A database of N customers is seeded once with `oms seed` (``bench/databases.py``: a SQLite file in
the temp folder, a PostgreSQL database on the local server; pass --fresh to rebuild, or
--sqlite-url / --postgresql-url for one seeded elsewhere). Then a fixed sample of real operator
queries (last-name prefixes, "first last", company prefixes, whole emails, phone digits, customer
numbers, ZIP codes, a last name with a ZIP, "city, ST") runs through ``CustomerService.search`` (50
rows, ranked, with city/state), and each also runs as the one raw indexed query (sqlite3 or
psycopg) that answers its main part (same data, same indexes, same run).

    .venv/bin/python bench/bench_search.py [--customers 1000000] [--queries 300] [--rounds 3]
        [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, p95, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = "id, number, first_name, last_name, company, email, phone, type_code, status"


def seeded_url(backend: str, customers: int, fresh: bool, url: str | None) -> str:
    """``url`` when given, else the shared seeded database of this size (built once)."""
    if url:
        return url
    from databases import seeded_url as shared

    return shared(backend, customers, fresh=fresh)


class Raw:
    """The floor: one plain DB-API connection (sqlite3 or psycopg) on the same database."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            self.connection = sqlite3.connect(url.split("///", 1)[1])
            self.mark = "?"
        else:
            import psycopg

            self.connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
            self.mark = "%s"

    def rows(self, sql: str, *params: object) -> list[tuple]:
        """The rows of ``sql`` written with ``?`` marks."""
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", self.mark), params)
        return cursor.fetchall()

    def search(self, column: str, prefix: str, order: str) -> list[tuple]:
        """The one indexed range query that answers the query's main part."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return self.rows(
            f"SELECT {COLUMNS} FROM customers WHERE {column} >= ? AND {column} < ? "  # noqa: S608
            f"ORDER BY {order} LIMIT 50",
            prefix,
            upper,
        )


_BY_NAME = "last_key, first_key, number"


def sample_queries(raw: Raw, count: int) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(kind, query text, (column, prefix, order) of the floor) for ``count`` random customers."""
    total = raw.rows("SELECT max(id) FROM customers")[0][0]
    rng = random.Random(42)
    queries = []
    # A database (and code) from before migration 0017 has no ZIP or city+state keys: those
    # kinds are left out, so the same script measures the code before and after it.
    try:
        raw.rows("SELECT postal_key, place_key FROM customers WHERE id = 1")
        places = "postal_key, place_key"
    except Exception:  # noqa: BLE001 - sqlite3 and psycopg raise different errors
        raw.connection.rollback()
        places = "'', ''"
    for customer_id in rng.sample(range(1, total + 1), count):
        found = raw.rows(
            "SELECT number, first_name, last_name, company, email, phone_key, last_key, first_key,"
            f" company_key, email_key, {places} FROM customers WHERE id = ?",  # noqa: S608
            customer_id,
        )
        if not found:
            continue
        (number, first, last, company, email, phone_key, last_key, first_key, company_key, email_key,
         postal, place) = found[0]  # fmt: skip
        queries.append(("last name", last[:3], ("last_key", last_key[:3], _BY_NAME)))
        queries.append(("first last", f"{first[:3]} {last[:2]}", ("last_key", last_key[:2], _BY_NAME)))
        # The looser kinds read their own index in its order (a name order there would make
        # PostgreSQL walk the name index through a million rows: no floor at all).
        if company:
            queries.append(("company", company[:4], ("company_key", company_key[:4], "company_key")))
        if email:
            queries.append(("email", email, ("email_key", email_key, "email_key")))
        if phone_key:
            queries.append(("phone", phone_key[:6], ("phone_key", phone_key[:6], "phone_key")))
        queries.append(("number", number, ("number", number, "number")))
        if postal:
            queries.append(("zip", postal, ("postal_key", postal, f"postal_key, {_BY_NAME}")))
            queries.append(
                ("name zip", f"{last} {postal}", ("postal_key", postal, f"postal_key, {_BY_NAME}"))
            )
        if place:
            city, _, state = place.rpartition(" ")
            typed = f"{city.title()}, {state.upper()}" if rng.random() < 0.5 else f"{city} {state}"
            queries.append(("city state", typed, ("place_key", place, f"place_key, {_BY_NAME}")))
    return queries


def run(backend: str, url: str, options: argparse.Namespace) -> None:
    """Time the service and the raw queries on one database, interleaved, several rounds."""
    from oms_core.bootstrap import Config, build, upgrade_database

    upgrade_database(url)  # a database kept from an older run gets new indexes
    raw = Raw(url)
    queries = sample_queries(raw, options.queries)
    application = build(Config(url, operator="bench"))
    search = application.services.customers.search
    for _kind, text, floor in queries[:50]:  # warm both caches alike
        search(text)
        raw.search(*floor)
    service_ms: list[float] = []
    raw_ms: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(options.rounds):
        for kind, text, floor in queries:
            started = time.perf_counter()
            search(text)
            elapsed = (time.perf_counter() - started) * 1000
            service_ms.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            started = time.perf_counter()
            raw.search(*floor)
            raw_ms.append((time.perf_counter() - started) * 1000)
    print(f"{backend}: {options.customers:,} customers, {len(queries)} queries x {options.rounds} rounds")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:<10} median {median(values):6.2f} ms   p95 {p95(values):6.2f} ms")
    report("search service, median", median(service_ms), median(raw_ms), "ms", "raw indexed query")
    report("search service, p95", p95(service_ms), p95(raw_ms), "ms", "raw indexed query")
    target = "met" if median(service_ms) <= 5 else "NOT met"
    print(f"target: median within 5 ms at a million customers: {target}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    application.close()


def main() -> None:
    """Seed (once), then time each backend asked for."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="customers to draw queries from")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--sqlite-url", help="an already seeded SQLite database instead of the shared one")
    parser.add_argument("--postgresql-url", help="an already seeded PostgreSQL database instead")
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    for backend in backends:
        given = options.sqlite_url if backend == "sqlite" else options.postgresql_url
        run(backend, seeded_url(backend, options.customers, options.fresh, given), options)


if __name__ == "__main__":
    main()
