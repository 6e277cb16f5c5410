"""My drafts (F5) with many drafts open by many operators: before and after migration 0022.

A database of its own (a SQLite file in the temp folder; on PostgreSQL a database named
``oms_bench_my_drafts``, dropped afterwards) gets ``--drafts`` drafts spread at random over
``--operators`` operators (one draft made through the repository, copied in bulk), then ANALYZE.
Each round times, on the same connection pool, the page My drafts reads (``drafts(operator=...,
limit=51)``) for an operator with about the average number of drafts, for one whose drafts (as
many) are all older than everyone else's (``opold``: left from last month), and for one with none:

- before: with ``ix_orders_status_operator_updated`` dropped (the schema of 0021);
- after: with it (0022);
- floor: one primary-key probe of ``orders`` (raw driver SQL), in the same round.

Rounds alternate before and after (ANALYZE after each change of index); medians of ``--rounds``
rounds, each a median of 9 calls.

    .venv/bin/python bench/bench_my_drafts.py [--backend sqlite|postgresql|both]
        [--drafts 50000] [--operators 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from oms_core.bootstrap import upgrade_database  # noqa: E402
from oms_core.clock import SystemClock  # noqa: E402
from oms_core.domain.customers import Customer  # noqa: E402
from oms_core.domain.orders import Order  # noqa: E402
from oms_core.storage import SqlUnitOfWorkFactory  # noqa: E402
from oms_core.storage.database import make_engine  # noqa: E402
from oms_core.storage.tables import orders  # noqa: E402

PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "oms_bench_my_drafts"
INDEX = "ix_orders_status_operator_updated"
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _timed(call: Callable[[], object], calls: int = 9) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _fill(factory: SqlUnitOfWorkFactory, drafts: int, operators: int) -> str:
    """The drafts; returns the operator with the median number of them."""
    with factory(write=True) as uow:
        ann = Customer(id=None, number="C000001", first_name="Ann", last_name="Smith")
        uow.customers.add(ann)
        uow.orders.add(Order(id=None, customer_id=ann.id, operator="op0", created_at=T0, updated_at=T0))
        uow.commit()
    rng = random.Random(7)
    counts: dict[str, int] = {}
    with factory.engine.begin() as conn:
        first = dict(conn.execute(select(orders)).mappings().one())
        del first["id"]
        rows = []
        for n in range(1, drafts):
            # The first drafts are opold's: the walk in edit order meets them last.
            operator = "opold" if n <= drafts // operators else f"op{rng.randrange(operators)}"
            counts[operator] = counts.get(operator, 0) + 1
            rows.append(first | {"operator": operator, "updated_at": T0 + timedelta(seconds=n)})
            if len(rows) == 5000:
                conn.execute(orders.insert(), rows)
                rows = []
        if rows:
            conn.execute(orders.insert(), rows)
    ranked = sorted((op for op in counts if op != "opold"), key=counts.__getitem__)
    return ranked[len(ranked) // 2]


def _set_index(factory: SqlUnitOfWorkFactory, present: bool) -> None:
    with factory.engine.connect() as conn:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {INDEX}")
        if present:
            conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON orders (status, operator, updated_at, id)")
        conn.commit()
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def _round(factory: SqlUnitOfWorkFactory, busy: str) -> dict[str, float]:
    def page(operator: str) -> Callable[[], object]:
        def read() -> object:
            with factory() as uow:
                return uow.orders.drafts(operator=operator, limit=51)

        return read

    def floor() -> None:
        with factory.engine.connect() as conn:
            conn.execute(text("SELECT id FROM orders WHERE id = :id"), {"id": 1}).all()

    return {
        "busy": _timed(page(busy)),
        "old": _timed(page("opold")),
        "none": _timed(page("newcomer")),
        "floor": _timed(floor),
    }


def run(url: str, drafts: int, operators: int, rounds: int) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        busy = _fill(factory, drafts, operators)
        with factory() as uow:
            mine = len(uow.orders.drafts(operator=busy, limit=drafts))
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(rounds):
            for label, present in (("before", False), ("after", True)):
                _set_index(factory, present)
                results[label].append(_round(factory, busy))
        print(f"{engine.dialect.name}: {drafts:,} drafts by {operators} operators; {busy} has {mine}")
        for label, found in results.items():
            medians = {key: statistics.median(r[key] for r in found) for key in found[0]}
            print(
                f"  {label:6}  busy operator {medians['busy']:7.2f} ms   old drafts {medians['old']:7.2f} ms"
                f"   no drafts {medians['none']:7.2f} ms   floor {medians['floor']:5.2f} ms"
            )
    finally:
        engine.dispose()


def main() -> None:
    """Run the benchmark on the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--drafts", type=int, default=50_000)
    parser.add_argument("--operators", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{Path(folder) / 'drafts.db'}", args.drafts, args.operators, args.rounds)
    if args.backend in ("postgresql", "both"):
        admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_NAME}")
            conn.exec_driver_sql(f"CREATE DATABASE {PG_NAME}")
        try:
            run(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}", args.drafts, args.operators, args.rounds)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.dispose()


if __name__ == "__main__":
    main()
