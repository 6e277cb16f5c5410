"""`oms seed` at an office's size, beside the database copying the very rows it wrote.

Runs `oms seed --customers N --products P --orders K` into a fresh SQLite file and/or a fresh
PostgreSQL database, and reports its wall time, CPU seconds and peak resident memory. Floor: in the
same database, right after, the database itself copies every table the seed filled into a new table
(`INSERT INTO copy SELECT * FROM table`: no Python, no generation, no driver round trips), builds
the same secondary indexes on the copies and refreshes their statistics: what loading exactly
these rows costs that database at the least.

Targets (issue 12): 1,000,000 customers, 1,000 products and 1,000,000 orders in under 3 minutes on
SQLite and under 6 on PostgreSQL, in under 500 MB.

    .venv/bin/python bench/bench_seed.py [--customers 1000000] [--products 1000] [--orders 1000000]
        [--backend sqlite|postgresql|both]

Wall time depends on what else the machine runs: the load average and the seed's CPU seconds are
printed beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import PG_ADMIN_URL  # noqa: E402
from stats import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OMS = [sys.executable, "-m", "oms_tui.cli"]
TABLES = ("customers", "addresses", "cards", "products", "orders", "order_lines", "payments", "audit_events")
TARGET_SECONDS = {"sqlite": 180, "postgresql": 360}


def seed(url: str, options: argparse.Namespace) -> tuple[float, float, float, float, float]:
    """Wall seconds, CPU seconds (its worker processes included), the largest peak RSS of one of
    its processes, the peak of their RSS summed and the peak of their PSS summed (MB) of one
    `oms seed`.

    Worker processes are forked, so each one's RSS counts again every page it still shares with
    the seeding process; PSS shares each such page out among the processes mapping it, so the
    summed PSS is the memory the seed really holds. Both are printed.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [*OMS, "--db", url, "seed", "--customers", str(options.customers)]
    command += ["--products", str(options.products), "--orders", str(options.orders)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak_sum = peak_pss = 0
    while process.poll() is None:
        rss, pss = _tree_memory_kib(process.pid)
        peak_sum, peak_pss = max(peak_sum, rss), max(peak_pss, pss)
        time.sleep(0.5)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, peak_sum / 1024, peak_pss / 1024  # KiB on Linux


def _tree_memory_kib(pid: int) -> tuple[int, int]:
    """The summed RSS and PSS of ``pid`` and its child processes (the seed's workers), from /proc."""
    rss = pss = 0
    for task in [pid, *_children(pid)]:
        try:
            rollup = Path(f"/proc/{task}/smaps_rollup").read_text()
        except OSError:  # gone meanwhile
            continue
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):  # any of its threads may have started one
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's secondary indexes."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = :t"
            ),
            {"t": table},
        )
        return [(name, sql) for name, sql in rows]
    rows = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = :t AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')"
        ),
        {"t": table},
    )
    return [(name, sql) for name, sql in rows]


def floor(url: str) -> float:
    """Seconds for the database to copy the seeded tables, index the copies and analyse them."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        plans = {table: _indexes(conn, table) for table in TABLES}
        conn.rollback()
        started = time.perf_counter()
        for table, indexes in plans.items():
            copy = f"floor_{table}"
            # Names are this file's own constants and the database's own index definitions.
            conn.execute(text(f"CREATE TABLE {copy} AS SELECT * FROM {table} WHERE 1 = 0"))  # noqa: S608
            conn.execute(text(f"INSERT INTO {copy} SELECT * FROM {table}"))  # noqa: S608
            for name, sql in indexes:
                statement = sql.replace(f" ON {table} ", f" ON {copy} ").replace(
                    f" ON public.{table} ", f" ON {copy} "
                )
                statement = statement.replace(f"INDEX {name} ", f"INDEX floor_{name} ", 1)
                statement = statement.replace('INDEX "' + name + '" ', f"INDEX floor_{name} ", 1)
                conn.execute(text(statement))
            conn.execute(text(f"ANALYZE {copy}"))
        conn.commit()
        elapsed = time.perf_counter() - started
        for table in TABLES:
            conn.execute(text(f"DROP TABLE floor_{table}"))
        conn.commit()
    engine.dispose()
    return elapsed


def measure(backend: str, options: argparse.Namespace) -> None:
    """Seed a fresh database of ``backend``, then the floor in it; print both."""
    with tempfile.TemporaryDirectory() as folder:
        name = f"oms_bench_seed_{os.getpid()}"
        if backend == "sqlite":
            url = f"sqlite:///{Path(folder) / 'seed.db'}"
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        try:
            load = os.getloadavg()[0]
            wall, cpu, rss, rss_sum, pss_sum = seed(url, options)
            floor_seconds = floor(url)
        finally:
            if backend == "postgresql":
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    target = TARGET_SECONDS[backend]
    print(
        f"{backend}: load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"oms seed used {cpu:.1f} s of CPU (its workers included), peak RSS {rss:.0f} MB in one "
        f"process, {rss_sum:.0f} MB RSS and {pss_sum:.0f} MB PSS in all of them at once (target "
        "500 MB); "
        f"wall {wall:.1f} s (target {target} s)"
    )
    report(
        f"oms seed --customers {options.customers:,} --products {options.products:,} "
        f"--orders {options.orders:,}",
        wall,
        floor_seconds,
        "s",
        "the database copying the same rows, indexing and analysing the copies",
    )


def main() -> None:
    """Each backend asked for."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    options = parser.parse_args()
    for backend in ("sqlite", "postgresql") if options.backend == "both" else (options.backend,):
        measure(backend, options)


if __name__ == "__main__":
    main()
