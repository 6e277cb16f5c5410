"""Cart edits, checkout and address saves for a customer with 500 addresses and 30 cards, beside the
same for one with 1 and 1.

On a fresh database (SQLite, and PostgreSQL when it answers) with the bench_club reference data,
two customers: "small" (one address, one card) and "big" (500 addresses, 30 cards). For each, the
same calls through the services, interleaved, many rounds: adding a line, changing its quantity,
setting the notes, reading the cart; checking a draft for checkout and placing it (card on file,
test gateway); saving an edit to an address in the book. The figure: the big customer's median per
call beside the small customer's (the floor), as a ratio (target: within 1.2x).

    .venv/bin/python bench/bench_address_book.py [--rounds 40] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_club import SKUS, make_database_at  # noqa: E402
from stats import median, report  # noqa: E402

from oms_core.bootstrap import Config, build  # noqa: E402
from oms_core.domain.customers import Address, AddressBookEntry, CardOnFile  # noqa: E402
from oms_core.payments.test_gateway import TestGateway  # noqa: E402
from oms_core.services.registry import Services  # noqa: E402

PG_ADMIN_URL = os.environ.get("OMS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def grow(application, customer_id: int, addresses: int, cards: int) -> None:  # noqa: ANN001
    with application.uow_factory(write=True) as uow:
        for i in range(addresses - 1):
            place = Address(
                name=f"Gift {i}", address1=f"{i} Elm St", city="Portland", state="OR", zip="97205"
            )
            uow.customers.save_address(customer_id, AddressBookEntry(None, place, f"gift {i}"))
        for i in range(cards - 1):
            uow.customers.add_card(
                customer_id, CardOnFile(None, f"tok_test_4242_{i:04x}", "Visa", "4242", 12, 2031)
            )
        uow.commit()


def _edits(services: Services, customer_id: int) -> dict[str, Callable[[], object]]:
    draft = services.cart.start(customer_id)
    state = {"draft": draft}
    sku = SKUS[0][0]

    def add() -> None:
        state["draft"] = services.cart.add_line(state["draft"].id, sku, 1)

    def quantity() -> None:
        view = state["draft"]
        state["draft"] = services.cart.set_quantity(view.id, view.lines[-1].id, 2)

    def notes() -> None:
        state["draft"] = services.cart.set_notes(state["draft"].id, "leave at the door")

    def read() -> None:
        services.cart.get(state["draft"].id)

    address_id = services.customers.get(customer_id).addresses[0].id
    checkout_draft = {"id": 0}

    def check() -> None:
        checkout_draft["id"] = services.cart.add_line(services.cart.start(customer_id).id, sku, 1).id
        timed["started"] = time.perf_counter()  # the draft's making is not timed
        services.checkout.problems(checkout_draft["id"])

    def place() -> None:
        services.checkout.place(checkout_draft["id"], confirm_duplicate=True)

    def save_address() -> None:
        place = Address(name="Home", address1="1 Main St", city="Portland", state="OR", zip="97205")
        services.customers.save_address(customer_id, place, address_id=address_id, label="home")

    return {
        "add a line": add,
        "change a quantity": quantity,
        "set the notes": notes,
        "read the cart": read,
        "check for checkout": check,
        "place (checkout)": place,
        "save an address": save_address,
    }


timed: dict[str, float] = {}


def measure(url: str, rounds: int) -> None:
    """Print each edit's median for the big customer beside the small one's."""
    make_database_at(url, 2)  # two club members: customers 1 (small) and 2 (big)
    application = build(Config(url, operator="bench"), gateway=TestGateway())
    grow(application, 2, 500, 30)
    services = application.services
    small, big = _edits(services, 1), _edits(services, 2)
    times: dict[str, dict[str, list[float]]] = {name: {"small": [], "big": []} for name in small}
    for _ in range(rounds):
        for name in small:
            for who, edits in (("small", small), ("big", big)):
                timed["started"] = time.perf_counter()
                edits[name]()
                times[name][who].append((time.perf_counter() - timed["started"]) * 1000)
    for name, figures in times.items():
        big, small = median(figures["big"]), median(figures["small"])
        report(f"  {name:<18} 500 addresses, 30 cards", big, small, "ms", "1 address, 1 card")
    application.close()


def main() -> None:
    """Each backend asked for, on a fresh database."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("sqlite:")
            measure(f"sqlite:///{Path(folder) / 'book.db'}", args.rounds)
    if args.backend in ("postgresql", "both"):
        name = f"oms_bench_book_{os.getpid()}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print("postgresql:")
            measure(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", args.rounds)
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
