"""`oms seed --customers N --products 1000` on a fresh SQLite file, beside raw sqlite3 loading the
same customer, address and card rows (prepared beforehand, so generation is not in the floor) into
the same schema with the same indexes built after the load.

Usage: .venv/bin/python bench/bench_seed.py [N]   (default 1,000,000). Wall time depends on what else
the machine runs; the CPU seconds of the seed are printed too.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oms_core.demo.people import ADDRESS_COLUMNS, CARD_COLUMNS, CUSTOMER_COLUMNS, CustomerFactory
from oms_core.demo.phones import PhonePool
from oms_core.storage import upgrade_schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OMS = [sys.executable, "-m", "oms_tui.cli"]


def seed_seconds(folder: Path, customers: int) -> tuple[float, float]:
    """Wall and CPU seconds of the `oms seed` process."""
    db = folder / "seed.db"
    before = os.times()
    started = time.perf_counter()
    subprocess.run(
        [*OMS, "--db", f"sqlite:///{db}", "seed", "--customers", str(customers), "--products", "1000"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def floor_seconds(folder: Path, customers: int) -> float:
    """Raw sqlite3: the same rows, executemany in one transaction, indexes built afterwards."""
    db = folder / "floor.db"
    upgrade_schema(f"sqlite:///{db}")
    factory = CustomerFactory(random.Random(1), PhonePool(random.Random(1)), datetime.now(UTC), 1, (1, 1, 1))
    batches = [factory.batch(20_000) for _ in range(customers // 20_000)]
    stamp = "2024-01-01 00:00:00.000000"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -524288")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('customers', 'addresses', 'cards')"
    ).fetchall()

    def statement(table: str, columns: tuple[str, ...]) -> str:
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    for batch in batches:
        conn.executemany(
            statement("customers", CUSTOMER_COLUMNS),
            [(*r[:14], stamp, stamp, *r[16:]) for r in batch.customers],
        )
        conn.executemany(statement("addresses", ADDRESS_COLUMNS), batch.addresses)
        conn.executemany(statement("cards", CARD_COLUMNS), batch.cards)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = seed_seconds(Path(folder), customers)
        floor = floor_seconds(Path(folder), customers)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; oms seed used {cpu:.1f} s of CPU"
    )
    report(
        f"oms seed --customers {customers:,} --products 1000",
        wall,
        floor,
        "s",
        "raw sqlite3 load, no generation",
    )


if __name__ == "__main__":
    main()
