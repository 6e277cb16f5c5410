"""A day at the office: operators taking phone orders while a club shipment runs, SQLite vs PostgreSQL.

On a copy of a seeded database (``databases.py``: N customers, M orders; a SQLite file copy or a
PostgreSQL database made from the seeded one as a template), OPERATORS processes each loop for
SECONDS: search for a customer by a last-name prefix (the caller's name), open a cart for the
customer found, add three lines (three SKUs, one edit each), and place it (card on file, default
shipping). A quarter of the way in, another process runs a club shipment of MEMBERS members (the
club's members beyond MEMBERS are taken out of the shipment first). Every step is timed in the
process that does it.

Prints: orders placed per minute by the operators (and while the shipment ran), p50/p95/p99 of each
step, errors by kind (must be 0), the club shipment's rate, and the bottleneck: the step with the
largest share of the operators' time, and how much slower placing got while the shipment ran.

    .venv/bin/python bench/bench_office.py [--customers 1000000] [--orders 1000000]
        [--operators 8] [--seconds 120] [--members 10000] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import PG_ADMIN_URL, seeded_url, sqlite_path  # noqa: E402

STEPS = ("search", "start cart", "add line", "place")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)] if ordered else float("nan")


def _sample(url: str, count: int) -> tuple[list[tuple[str, int]], list[str]]:
    """(last-name prefix, customer id) of active customers with a card on file; SKUs to sell."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM customers")).scalar_one()
        rng = random.Random(5)
        ids = rng.sample(range(1, top + 1), min(top, count * 4))
        rows = conn.execute(
            text(
                "SELECT c.id, c.last_name FROM customers c WHERE c.id IN "
                f"({','.join(str(i) for i in ids)}) AND c.status = 'active' AND c.type_code = 'RETAIL' "  # noqa: S608
                "AND EXISTS (SELECT 1 FROM cards k WHERE k.customer_id = c.id) "
                # the seed gives some customers the gateway's documented declining test cards
                "AND NOT EXISTS (SELECT 1 FROM cards k WHERE k.customer_id = c.id "
                "AND (k.last4 IN ('0002', '9995') OR k.token LIKE 'tok_decline%'))"
            )
        ).all()
        skus = [
            row[0] for row in conn.execute(text("SELECT sku FROM products WHERE active ORDER BY id LIMIT 30"))
        ]
    # The seeded catalogue's stock runs out within minutes of this load: the copy gets plenty of the
    # SKUs the bench sells, so what is measured is the work, not out-of-stock refusals.
    with engine.begin() as conn:
        conn.execute(text("UPDATE products SET stock_on_hand = 1000000000 WHERE active"))
    engine.dispose()
    callers = [(last[:4].lower(), cid) for cid, last in rows if len(last) >= 4][:count]
    return callers, skus


def operator(url: str, name: str, seconds: float, callers, skus, club_window, out) -> None:  # noqa: ANN001
    """One operator's loop; puts (timings by step, [(placed_at, seconds)], errors) on ``out``."""
    from oms_core.bootstrap import Config, build
    from oms_core.payments.test_gateway import TestGateway

    services = build(Config(url, operator=name), gateway=TestGateway()).services
    rng = random.Random(name)
    timings: dict[str, list[float]] = {step: [] for step in STEPS}
    placed: list[tuple[float, float]] = []
    errors: Counter[str] = Counter()
    deadline = time.time() + seconds

    def timed(step: str, call):  # noqa: ANN001, ANN202
        started = time.perf_counter()
        result = call()
        timings[step].append(time.perf_counter() - started)
        return result

    while time.time() < deadline:
        prefix, customer_id = rng.choice(callers)
        try:
            timed("search", lambda prefix=prefix: services.customers.search(prefix, 51))
            # The caller then spells the rest of the name and the operator opens the record.
            draft = timed("start cart", lambda customer_id=customer_id: services.cart.start(customer_id))
            for sku in rng.sample(skus, 3):
                draft = timed(
                    "add line", lambda sku=sku, draft=draft: services.cart.add_line(draft.id, sku, 1)
                )
            started = time.perf_counter()
            services.checkout.place(draft.id, draft.version, confirm_duplicate=True)
            finished = time.perf_counter()
            timings["place"].append(finished - started)
            placed.append((time.time(), finished - started))
        except Exception as error:  # noqa: BLE001 - counted and reported: the figure must be 0
            errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
    out.put((timings, placed, errors))


def club(url: str, shipment_id: int, delay: float, out) -> None:  # noqa: ANN001
    """Run the shipment after ``delay`` seconds; puts (started, finished, placed, failed)."""
    from oms_core.bootstrap import Config, build
    from oms_core.payments.test_gateway import TestGateway

    services = build(Config(url, operator="clubrun"), gateway=TestGateway()).services
    time.sleep(delay)
    started = time.time()
    report = services.clubs.process(shipment_id)
    out.put((started, time.time(), report.placed, report.failed))


def _shipment(url: str, members: int, sku: str) -> tuple[int, int]:
    """A club shipment of (at most) ``members`` members; (its id, its member count)."""
    from sqlalchemy import text

    from oms_core.bootstrap import Config, build
    from oms_core.demo.reference import CELLAR_CLUB

    application = build(Config(url, operator="clubrun"))
    # On the copy, the club keeps its first ``members`` members; the rest become retail customers
    # (a shipment takes in every member of its club when it runs).
    with application.uow_factory(write=True) as uow:
        connection = uow._conn  # type: ignore[attr-defined]
        first_extra = connection.execute(
            text("SELECT id FROM customers WHERE type_code = :club ORDER BY id LIMIT 1 OFFSET :n"),
            {"club": CELLAR_CLUB, "n": members},
        ).scalar()
        if first_extra is not None:
            connection.execute(
                text("UPDATE customers SET type_code = 'RETAIL' WHERE type_code = :club AND id >= :first"),
                {"club": CELLAR_CLUB, "first": first_extra},
            )
        uow.commit()
    shipment = application.services.clubs.create_shipment(
        "Office bench", CELLAR_CLUB, [(sku, 2)], date.today(), "GROUND"
    )
    application.close()
    return shipment.id, shipment.counts.pending


def _copy(backend: str, customers: int, orders: int, folder: Path) -> tuple[str, object]:
    seeded = seeded_url(backend, customers, orders)
    if backend == "sqlite":
        path = folder / "office.db"
        shutil.copyfile(sqlite_path(customers, orders), path)
        return f"sqlite:///{path}", None
    import psycopg

    name = f"oms_bench_office_{os.getpid()}"
    source = seeded.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        admin.execute(f"ANALYZE")  # noqa: F541 - the admin database; the copy is analysed below
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return url, name


def run(backend: str, options: argparse.Namespace) -> None:
    """One backend: set up, run, print."""
    from oms_core.bootstrap import upgrade_database

    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = _copy(backend, options.customers, options.orders, Path(folder))
        try:
            upgrade_database(url)
            callers, skus = _sample(url, 400)
            shipment_id, members = _shipment(url, options.members, skus[0])
            context = mp.get_context("spawn")
            out = context.Queue()
            delay = options.seconds / 4
            workers = [
                context.Process(
                    target=operator, args=(url, f"op{i}", options.seconds, callers, skus[1:], None, out)
                )
                for i in range(options.operators)
            ]
            workers.append(context.Process(target=club, args=(url, shipment_id, delay, out)))
            began = time.time()
            for worker in workers:
                worker.start()
            results = [out.get() for _ in workers]
            for worker in workers:
                worker.join()
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    club_result = next(r for r in results if len(r) == 4)
    timings: dict[str, list[float]] = {step: [] for step in STEPS}
    placed: list[tuple[float, float]] = []
    errors: Counter[str] = Counter()
    for result in results:
        if len(result) == 3:
            for step, values in result[0].items():
                timings[step] += values
            placed += result[1]
            errors.update(result[2])
    club_start, club_end, club_placed, club_failed = club_result
    during = [seconds for at, seconds in placed if club_start <= at <= club_end]
    outside = [seconds for at, seconds in placed if not club_start <= at <= club_end]
    elapsed = max(options.seconds, max((at for at, _ in placed), default=began) - began)
    print(
        f"{backend}: {options.customers:,} customers, {options.orders:,} orders seeded (asked), "
        f"{options.operators} operators for {options.seconds:.0f} s, club shipment of {members:,} members"
    )
    print(f"  orders placed by operators: {len(placed):,} = {len(placed) / elapsed * 60:,.0f} per minute")
    club_seconds = club_end - club_start
    in_window = sum(1 for at, _ in placed if club_start <= at <= club_end)
    print(
        f"  club shipment: {club_placed:,} placed, {club_failed} declined (seeded declining cards) in "
        f"{club_seconds:.1f} s "
        f"({club_placed / club_seconds:,.0f} orders/s); operators meanwhile: "
        f"{in_window / club_seconds * 60 if club_seconds else 0:,.0f} orders per minute"
    )
    total = {step: sum(values) for step, values in timings.items()}
    for step in STEPS:
        values = [v * 1000 for v in timings[step]]
        print(
            f"  {step:<10} n={len(values):>6}  p50 {_percentile(values, 0.5):8.1f} ms  "
            f"p95 {_percentile(values, 0.95):8.1f} ms  p99 {_percentile(values, 0.99):8.1f} ms"
        )
    print(
        f"  errors: {sum(errors.values())}"
        + "".join(f"\n    {n} x {kind}" for kind, n in errors.most_common(5))
    )
    busiest = max(total, key=lambda step: total[step])
    share = total[busiest] / (sum(total.values()) or 1)
    slower = _percentile(during, 0.5) / _percentile(outside, 0.5) if during and outside else float("nan")
    print(
        f"  bottleneck: '{busiest}' takes {share:.0%} of the operators' time; placing's median is "
        f"{slower:.1f}x while the club shipment runs (p95 during {_percentile(during, 0.95) * 1000:.0f} ms)"
    )


def main() -> None:
    """Each backend asked for."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--operators", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    for backend in ("sqlite", "postgresql") if options.backend == "both" else (options.backend,):
        run(backend, options)


if __name__ == "__main__":
    main()
