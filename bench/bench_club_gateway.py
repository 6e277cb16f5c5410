"""A club shipment against a slow gateway: orders per second by the number of cards in flight.

A fresh SQLite database from ``bench_club.make_database`` (MEMBERS members with cards on file);
each in-flight limit gets its own copy. The shipment is processed by ``ClubService.process`` with
a gateway fake that answers each authorisation after GATEWAY_SECONDS (default 0.25 s), with
``[gateway] in_flight_limit`` set to 1, 4, 8 and 16. The floor is what the gateway alone allows:
``in_flight / GATEWAY_SECONDS`` orders per second (every card waiting its full round trip, nothing
else costing anything). Before issue 10 a chunk authorised its cards one after another inside its
transaction: 10,000 members at 0.25 s took 2,500 s and held the write lock all along.

    .venv/bin/python bench/bench_club_gateway.py [--members 400] [--gateway-seconds 0.25] [--limits 1 4 8 16]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_club import make_database  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.config import GatewaySection, OfficeConfig  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_core.ports import GatewayAnswer  # noqa: E402


class SlowGateway(TestGateway):
    """The test gateway, answering each authorisation after ``seconds``; counts the most in flight."""

    __test__ = False

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self._count = threading.Lock()
        self.in_flight = self.most_in_flight = 0

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        with self._count:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.seconds)
        with self._count:
            self.in_flight -= 1
        return super().authorize(token, amount, idempotency_key)


def run(path: Path, shipment_id: int, limit: int, seconds: float) -> tuple[float, int, int]:
    """Process the shipment; (wall seconds, orders placed, most cards in flight)."""
    office = OfficeConfig(gateway=GatewaySection(in_flight_limit=limit))
    gateway = SlowGateway(seconds)
    application = build(Config(f"sqlite:///{path}", operator="bench", office=office), gateway=gateway)
    started = time.perf_counter()
    result = application.services.clubs.process(shipment_id)
    elapsed = time.perf_counter() - started
    application.close()
    assert result.failed == 0 and result.skipped == 0, result
    return elapsed, result.placed, gateway.most_in_flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--gateway-seconds", type=float, default=0.25)
    parser.add_argument("--limits", type=int, nargs="+", default=[1, 4, 8, 16])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "seed.db"
        shipment_id = make_database(seed, args.members)
        print(f"{args.members:,} members, gateway answers in {args.gateway_seconds} s")
        for limit in args.limits:
            copy = Path(folder) / f"run{limit}.db"
            shutil.copyfile(seed, copy)
            elapsed, placed, most = run(copy, shipment_id, limit, args.gateway_seconds)
            rate = placed / elapsed
            ideal = limit / args.gateway_seconds
            print(
                f"in flight {limit:>2}: {rate:8.1f} orders/s ({placed:,} in {elapsed:6.1f} s, at most {most} "
                f"at the gateway)  |  floor (gateway alone): {ideal:6.1f} orders/s  |  "
                f"ratio {ideal / rate:.2f}x"
            )


if __name__ == "__main__":
    main()
