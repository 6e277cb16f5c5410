"""A customer's story (orders, shipments, notes, mail, newest first) for a customer with thousands of
orders, beside the Orders list filtered to that customer (the floor: one keyset page of one kind).

On a fresh database (SQLite, and PostgreSQL when it answers) with the bench_club reference data, one
customer gets ``--orders`` placed orders over two years, a shipment for every other one, a call
note for every fifth and a mail for every order; another customer gets 200 orders. Timed, many
rounds, interleaved: the story's first page, a page from the middle of the history (keyset), and the
same two pages of the Orders list filtered to the customer. The figures are medians beside the
floor, as ratios.

    .venv/bin/python bench/bench_story.py [--orders 5000] [--rounds 30] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_club import make_database_at  # noqa: E402
from stats import median, report  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.domain.customers import Address  # noqa: E402
from oms_core.domain.fulfilment import Shipment, ShipmentLine  # noqa: E402
from oms_core.domain.mail import MailKind, MailMessage  # noqa: E402
from oms_core.domain.notes import CallNote  # noqa: E402
from oms_core.domain.orders import Order, OrderLine, OrderStatus  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_core.read_models import OrderFilter, OrderPosition, StoryPosition  # noqa: E402

PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2024, 12, 1, tzinfo=UTC)
PLACE = Address(name="Ann Smith", address1="1 Main St", city="Portland", state="OR", zip="97205")


def _orders(customer_id: int, count: int, number: int, span: timedelta) -> list[Order]:
    step = span / max(count, 1)
    made = []
    for n in range(count):
        at = START + step * n
        made.append(
            Order(
                id=None,
                status=OrderStatus.SHIPPED if n % 2 else OrderStatus.PLACED,
                number=number + n,
                customer_id=customer_id,
                operator="bench",
                lines=[OrderLine(None, 1, "CAB", "Cabernet", 1, Decimal("20.00"))],
                ship_to=PLACE,
                bill_to=PLACE,
                shipping_method="GROUND",
                created_at=at,
                updated_at=at,
                placed_at=at,
            )
        )
    return made


def _fill(application, orders: int) -> int:  # noqa: ANN001
    """The history; returns the busy customer's id (1)."""
    with application.uow_factory(write=True) as uow:
        mine = _orders(1, orders, 100_000, timedelta(days=730))
        uow.orders.add_many(mine)
        for n, order in enumerate(mine):
            at = order.placed_at or START
            if n % 2:
                uow.shipments.add(
                    Shipment(
                        None,
                        order.id or 0,
                        "UPS",
                        "Ground",
                        f"1Z{n:016d}",
                        at + timedelta(days=1),
                        [ShipmentLine(order.lines[0].id or 0, "CAB", 1)],
                    )
                )
            if n % 5 == 0:
                uow.notes.add(CallNote(None, 1, order.id, "bench", at + timedelta(hours=2), f"call {n}"))
            mail = MailMessage(
                MailKind.ORDER_CONFIRMATION, "ann@example.com", f"Order {order.number}", "", order.id, 1
            )
            uow.outbox.add(mail, at + timedelta(minutes=1))
        uow.orders.add_many(_orders(2, 200, 1_000_000, timedelta(days=730)))  # someone else's
        uow.commit()
    return 1


def measure(url: str, orders: int, rounds: int) -> None:
    """Print the story's pages beside the Orders list's pages for the same customer."""
    make_database_at(url, 2)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    customer = _fill(application, orders)
    services = application.services
    first = services.story.page(customer)
    middle_story = first
    for _ in range(orders // 100):  # walk to the middle of the history once, page by page
        if middle_story.next is None:
            break
        middle_story = services.story.page(customer, after=middle_story.next)
    after_story: StoryPosition | None = middle_story.next
    listed = services.orders.list(OrderFilter(customer_id=customer), limit=50)
    middle_list = listed
    for _ in range(orders // 100):
        middle_list = services.orders.list(
            OrderFilter(customer_id=customer), limit=50, after=OrderPosition.after(middle_list[-1])
        )
    after_list = OrderPosition.after(middle_list[-1])
    calls = {
        "story, first page": lambda: services.story.page(customer),
        "story, middle page": lambda: services.story.page(customer, after=after_story),
        "orders, first page": lambda: services.orders.list(OrderFilter(customer_id=customer), limit=50),
        "orders, middle page": lambda: services.orders.list(
            OrderFilter(customer_id=customer), limit=50, after=after_list
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    for where in ("first", "middle"):
        report(
            f"  story, {where} page ({orders:,} orders, their shipments, notes and mail)",
            median(times[f"story, {where} page"]),
            median(times[f"orders, {where} page"]),
            "ms",
            f"Orders list of the customer, {where} page",
        )
    application.close()


def main() -> None:
    """Each backend asked for, on a fresh database."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("sqlite:")
            measure(f"sqlite:///{Path(folder) / 'story.db'}", args.orders, args.rounds)
    if args.backend in ("postgresql", "both"):
        name = f"oms_bench_story_{os.getpid()}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print("postgresql:")
            measure(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", args.orders, args.rounds)
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
