"""Another operator's cart edit while a checkout waits on a slow gateway (SQLite).

A fresh SQLite database from ``bench_club.make_database`` (club members with cards on file). Each
run starts a checkout in this process against a gateway fake that answers in GATEWAY_SECONDS
(default 2 s); once the gateway has been asked, a second process adds a line to another member's
cart and times that edit inside itself (interpreter start-up excluded). The floor is the same edit
in the same kind of process with no checkout running. Before issue 10 the placing transaction held
SQLite's write lock during the gateway's round trip, so the edit waited the whole 2 s (or failed
with "database is locked" once busy_timeout ran out).

    .venv/bin/python bench/bench_checkout_lock.py [--runs 5] [--gateway-seconds 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_club import SKUS, make_database  # noqa: E402
from stats import median, report  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_core.ports import GatewayAnswer  # noqa: E402


class SlowGateway(TestGateway):
    """The test gateway, answering each authorisation after ``seconds``."""

    __test__ = False

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.asked = threading.Event()

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        self.asked.set()
        time.sleep(self.seconds)
        return super().authorize(token, amount, idempotency_key)


def timed_edit(url: str, draft_id: int) -> None:
    """(Child process) add a line to the draft; print the milliseconds the edit took."""
    app = build(Config(url, operator="bob"), gateway=TestGateway())
    app.services.cart.get(draft_id)  # connect and warm up outside the timing
    started = time.perf_counter()
    app.services.cart.add_lines(draft_id, [(SKUS[2][0], 1)])
    print(f"{(time.perf_counter() - started) * 1000:.3f}")
    app.close()


def _edit_in_another_process(url: str, draft_id: int) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--edit", url, str(draft_id)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _card_draft(app, customer_id: int) -> int:  # type: ignore[no-untyped-def]
    services = app.services
    card = services.customers.get(customer_id).cards[0]
    cart = services.cart.add_lines(services.cart.start(customer_id).id, [(SKUS[0][0], 1)])
    services.cart.set_payment(cart.id, "card_on_file", card_id=card.id)
    return cart.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gateway-seconds", type=float, default=2.0)
    parser.add_argument("--edit", nargs=2, metavar=("URL", "DRAFT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.edit:
        timed_edit(args.edit[0], int(args.edit[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lock.db"
        make_database(path, 2)
        url = f"sqlite:///{path}"
        gateway = SlowGateway(args.gateway_seconds)
        app = build(Config(url, operator="alice"), gateway=gateway)
        other = _card_draft(app, 2)
        during, floor, checkout_seconds = [], [], []
        for _ in range(args.runs):
            floor.append(_edit_in_another_process(url, other))
            mine = _card_draft(app, 1)
            gateway.asked.clear()

            def place(draft_id: int = mine) -> None:
                started = time.perf_counter()
                app.services.checkout.place(draft_id, confirm_duplicate=True)
                checkout_seconds.append(time.perf_counter() - started)

            checkout = threading.Thread(target=place)
            checkout.start()
            gateway.asked.wait(30)
            during.append(_edit_in_another_process(url, other))
            checkout.join()
        app.close()
    print(
        f"gateway answers in {args.gateway_seconds:.1f} s; checkout took {median(checkout_seconds):.2f} s "
        f"(median of {args.runs})"
    )
    report(
        "cart edit in another process during checkout", median(during), median(floor), "ms", "same edit, idle"
    )
    print(f"  during checkout: max {max(during):.1f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
