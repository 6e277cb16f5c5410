"""Customer search at a million customers: the search service beside the raw indexed sqlite3 query.

A SQLite database of N customers is seeded once with `oms seed` (kept in the temp folder and reused
by later runs: pass --fresh to rebuild it). Then a fixed sample of real operator queries (last-name
prefixes, "first last", company prefixes, whole emails, phone digits, customer numbers) runs
through ``CustomerService.search`` (50 rows, ranked, with city/state), and each also runs as the
one raw indexed sqlite3 query that answers its main part (same data, same indexes, same run).

    .venv/bin/python bench/bench_search.py [--customers 1000000] [--queries 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, p95, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = "id, number, first_name, last_name, company, email, phone, type_code, status"


def seeded_database(customers: int, fresh: bool) -> Path:
    """A SQLite file with ``customers`` seeded customers (built once, then reused)."""
    path = Path(tempfile.gettempdir()) / f"oms-bench-search-{customers}.db"
    if fresh or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"seeding {customers:,} customers into {path} (once) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "oms_tui.cli",
                "--db",
                f"sqlite:///{path}",
                "seed",
                "--customers",
                str(customers),
                "--products",
                "100",
                "--seed",
                "7",
            ],
            check=True,
            cwd=ROOT,
        )
    return path


def sample_queries(path: Path, count: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, query text, raw SQL + parameters) for ``count`` random customers' details."""
    connection = sqlite3.connect(path)
    total = connection.execute("SELECT max(id) FROM customers").fetchone()[0]
    rng = random.Random(42)
    queries = []
    for customer_id in rng.sample(range(1, total + 1), count):
        row = connection.execute(
            "SELECT number, first_name, last_name, company, email, phone_key, last_key, first_key,"
            " company_key, email_key FROM customers WHERE id = ?",
            (customer_id,),
        ).fetchone()
        if row is None:
            continue
        number, first, last, company, email, phone_key, last_key, first_key, company_key, email_key = row
        queries.append(("last name", last[:3], ("last_key", last_key[:3])))
        queries.append(("first last", f"{first[:3]} {last[:2]}", ("last_key", last_key[:2])))
        if company:
            queries.append(("company", company[:4], ("company_key", company_key[:4])))
        if email:
            queries.append(("email", email, ("email_key", email_key)))
        if phone_key:
            queries.append(("phone", phone_key[:6], ("phone_key", phone_key[:6])))
        queries.append(("number", number, ("number", number)))
    connection.close()
    return queries


def raw_search(connection: sqlite3.Connection, column: str, prefix: str) -> list[tuple]:
    """The one indexed range query that answers the query's main part."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    sql = (
        f"SELECT {COLUMNS} FROM customers WHERE {column} >= ? AND {column} < ? "  # noqa: S608
        "ORDER BY last_key, first_key, number LIMIT 50"
    )
    return connection.execute(sql, (prefix, upper)).fetchall()


def main() -> None:
    """Seed (once), then time the service and the raw queries, interleaved, several rounds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="customers to draw queries from")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    path = seeded_database(options.customers, options.fresh)
    queries = sample_queries(path, options.queries)

    from oms_core.bootstrap import Config, build, upgrade_database

    upgrade_database(f"sqlite:///{path}")  # a database kept from an older run gets new indexes
    application = build(Config(f"sqlite:///{path}", operator="bench"))
    search = application.services.customers.search
    raw = sqlite3.connect(path)
    for _kind, text, (column, prefix) in queries[:50]:  # warm both caches alike
        search(text)
        raw_search(raw, column, prefix)
    service_ms: list[float] = []
    raw_ms: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(options.rounds):
        for kind, text, (column, prefix) in queries:
            started = time.perf_counter()
            search(text)
            elapsed = (time.perf_counter() - started) * 1000
            service_ms.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            started = time.perf_counter()
            raw_search(raw, column, prefix)
            raw_ms.append((time.perf_counter() - started) * 1000)
    print(f"{options.customers:,} customers, {len(queries)} queries x {options.rounds} rounds")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:<10} median {median(values):6.2f} ms   p95 {p95(values):6.2f} ms")
    report("search service, median", median(service_ms), median(raw_ms), "ms", "raw indexed sqlite3")
    report("search service, p95", p95(service_ms), p95(raw_ms), "ms", "raw indexed sqlite3")
    target = "met" if median(service_ms) <= 5 else "NOT met"
    print(f"target: median within 5 ms at a million customers: {target}")
    application.close()


if __name__ == "__main__":
    main()
