"""The reliability suite's long form, with its figures: checkouts per second of 8 operator processes
and the p99 wait of a shared-draft edit while a club shipment runs (and is killed with kill -9 and
resumed), beside the checks (0 duplicate numbers, 0 oversold, 0 lost or half orders, 0 errors seen
by an operator, stock balanced, killed jobs resumable).

Run from the repository root::

    .venv/bin/python bench/bench_stress.py [--db sqlite|postgresql|both] [--rounds 40] [--members 1500]

The floor beside the edit wait is the median edit wait of the same run once the club had finished.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from tests.stress.office import OfficeSize, run_office  # noqa: E402
from tests.stress.test_office import LONG  # noqa: E402

PG = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def _url(kind: str, folder: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / (name + '.db')}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _drop(kind: str, name: str) -> None:
    if kind == "postgresql":
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench(kind: str, size: OfficeSize) -> None:
    """Run the office on one database and print its figures and checks."""
    with tempfile.TemporaryDirectory() as folder:
        url = _url(kind, Path(folder), "oms_bench_stress")
        try:
            report = run_office(url, size)
        finally:
            _drop(kind, "oms_bench_stress")
    problems = report.problems()
    after = sorted(report.edit_waits_after_club)
    floor = after[len(after) // 2] if after else 0.0
    ratio = f"{report.p99_edit_wait() / floor:.1f}x" if floor else "n/a"
    print(
        f"{kind:<10} {size.operators} operators x {size.rounds} orders, club of {size.members} "
        f"killed {size.kills}x: {report.placed} placed, {report.refused} refused, "
        f"{report.orders_per_second:.1f} orders/s; p99 edit wait while the club ran "
        f"{report.p99_edit_wait() * 1000:.0f} ms over {len(report.edit_waits_during_club)} edits "
        f"(floor: median edit after the club {floor * 1000:.1f} ms, ratio {ratio}); "
        f"club {report.club_placed} placed in {report.club_seconds:.1f} s; "
        f"checks: {problems if problems else 'all clean'}"
    )


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=LONG.rounds)
    parser.add_argument("--members", type=int, default=LONG.members)
    args = parser.parse_args()
    size = replace(LONG, rounds=args.rounds, members=args.members)
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        bench(kind, size)


if __name__ == "__main__":
    main()
