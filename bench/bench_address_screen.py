"""On the screen: cart edits, checkout and an address save for a customer with 500 addresses and 30
cards, beside the same for one with 1 and 1.

The real OmsApp runs headless at 80x24 on a fresh database (SQLite, and PostgreSQL when it answers)
built as ``bench_address_book.py`` builds it: customer 1 "small" (one address, one card) and customer
2 "big" (500 addresses, 30 cards). Each round, for each customer in turn, keys are pressed as an
operator would and the clock runs from the key that asks for the work to the first frame drawn with
its result (the compositor's update rendered to terminal output, as a real terminal would be sent it;
see ``paint.py``):

- add a line: in a new cart, the SKU and a quantity typed, then the Enter that adds the line;
- change a quantity: ``+`` on the line;
- open checkout: F9 in the cart, to the checkout drawn with the draft, the customer's payment
  choices and what still stops the order;
- place: F9 in the checkout (card on file, test gateway), to the confirmation drawn;
- open the record: the Customer screen opened for the customer, to its record drawn (the contact,
  the book's first entries and how many more, cards, recent orders);
- save an address: on the Customer screen, ``a``, the form filled in, then the F9 that saves it, to
  the record drawn with the new entry.

Each round orders a different quantity, so no order is a same-items duplicate of the one before.
The figure: the big customer's median beside the small customer's (the floor), as a ratio (target:
within 1.2x).

    .venv/bin/python bench/bench_address_screen.py [--rounds 15] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paint  # noqa: E402
from bench_address_book import PG_ADMIN_URL, grow  # noqa: E402
from bench_club import SKUS, make_database_at  # noqa: E402
from stats import median, report  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_tui.app import OmsApp  # noqa: E402
from oms_tui.screens.cart import CartScreen  # noqa: E402
from oms_tui.screens.checkout import CheckoutScreen  # noqa: E402
from oms_tui.screens.customer import CustomerScreen  # noqa: E402

paint.install()
STEPS = ("add a line", "change a quantity", "open checkout", "place", "open the record", "save an address")


def _mark_after(cls: type, name: str) -> None:
    """``cls.name`` marks the results in once it has put them on the screen."""
    original = getattr(cls, name)

    def marked(self, *args: object, **kwargs: object) -> object:  # noqa: ANN001
        result = original(self, *args, **kwargs)
        paint.mark_results(self.app)
        return result

    setattr(cls, name, marked)


def _patch_oms() -> None:
    _mark_after(CartScreen, "_show")  # a cart edit's view shown
    _mark_after(CheckoutScreen, "_show")  # the checkout's first view shown
    _mark_after(CheckoutScreen, "_placed")  # the confirmation put in the checkout's place
    _mark_after(CustomerScreen, "show_customer")  # the record drawn
    _mark_after(CustomerScreen, "_address_saved")  # the saved entry in the book


async def _settle(app: OmsApp, pilot: Pilot) -> None:
    await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause(0.05)


async def _timed(app: OmsApp, pilot: Pilot, press: Callable[[], Awaitable[None]]) -> float:
    """Milliseconds from ``press`` to the first frame drawn after the results reached the screen."""
    await _settle(app, pilot)
    paint.reset(app)
    started = time.perf_counter()
    await press()
    while not app.bench_painted_at:  # type: ignore[attr-defined]
        await pilot.pause(0.0005)
    return (app.bench_painted_at - started) * 1000  # type: ignore[attr-defined]


async def _round(app: OmsApp, pilot: Pilot, customer_id: int, quantity: int) -> dict[str, float]:
    """One order and one address save for the customer, each step timed."""
    figures: dict[str, float] = {}
    draft = app.services.cart.start(customer_id)
    app.open_cart(draft.id)
    await _settle(app, pilot)
    await pilot.press(*SKUS[0][0], "enter", *str(quantity))
    figures["add a line"] = await _timed(app, pilot, lambda: pilot.press("enter"))
    await pilot.press("down")  # to the lines
    figures["change a quantity"] = await _timed(app, pilot, lambda: pilot.press("plus"))
    figures["open checkout"] = await _timed(app, pilot, lambda: pilot.press("f9"))
    figures["place"] = await _timed(app, pilot, lambda: pilot.press("f9"))
    placed = app.services.orders.list(limit=1)[0]
    if placed.customer_id != customer_id or placed.status == "draft":
        raise SystemExit(f"the order was not placed for customer {customer_id}: {placed}")
    await _home(app, pilot)

    async def open_record() -> None:
        app.open_customer(customer_id)

    figures["open the record"] = await _timed(app, pilot, open_record)
    await _settle(app, pilot)
    await pilot.press("a")
    await _settle(app, pilot)
    typed = {"label": f"dock {quantity}", "address1": f"{quantity} Dock Rd", "city": "Newark"}
    for field, value in (typed | {"state": "NJ", "zip": "07102"}).items():
        app.screen.query_one(f"#{field}").value = value  # type: ignore[attr-defined]
    figures["save an address"] = await _timed(app, pilot, lambda: pilot.press("f9"))
    record = app.screen.customer  # type: ignore[attr-defined]
    if record is None or record.addresses[-1].label != f"dock {quantity}":
        raise SystemExit("the saved address is not in the book shown")
    await _home(app, pilot)
    return figures


async def _home(app: OmsApp, pilot: Pilot) -> None:
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await _settle(app, pilot)


async def _run(url: str, rounds: int) -> dict[str, dict[str, list[float]]]:
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    app = OmsApp(application.services, "bench")
    paint.reset(app)
    times: dict[str, dict[str, list[float]]] = {step: {"small": [], "big": []} for step in STEPS}
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        for n in range(rounds + 1):
            # Alternate who goes first, so a slow spell or a warm cache favours neither.
            order = (("small", 1), ("big", 2)) if n % 2 == 0 else (("big", 2), ("small", 1))
            for who, customer_id in order:
                figures = await _round(app, pilot, customer_id, n + 1)
                if n == 0:
                    continue  # the first round loads every screen's code and styles: not timed
                for step, figure in figures.items():
                    times[step][who].append(figure)
    application.close()
    return times


def measure(url: str, rounds: int) -> None:
    """Print each step's median for the big customer beside the small one's."""
    make_database_at(url, 2)  # two club members: customers 1 (small) and 2 (big)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    grow(application, 2, 500, 30)
    application.close()
    times = asyncio.run(_run(url, rounds))
    for step, figures in times.items():
        if os.environ.get("OMS_BENCH_RAW"):
            print(step, [round(f) for f in figures["small"]], [round(f) for f in figures["big"]])
        big, small = median(figures["big"]), median(figures["small"])
        report(f"  {step:<17} 500 addresses, 30 cards", big, small, "ms", "1 address, 1 card")


def main() -> None:
    """Each backend asked for, on a fresh database."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    _patch_oms()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("sqlite, 80x24:")
            measure(f"sqlite:///{Path(folder) / 'book.db'}", args.rounds)
    if args.backend in ("postgresql", "both"):
        name = f"oms_bench_address_screen_{os.getpid()}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print("postgresql, 80x24:")
            measure(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", args.rounds)
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
