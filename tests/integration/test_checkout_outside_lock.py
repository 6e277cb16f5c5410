"""While a checkout or an import waits on the gateway, no transaction is open: another process's
cart edit finishes before the authorisation comes back (on SQLite that was impossible: the placing
transaction held the database's write lock for the whole round trip).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer
from oms_core.spreadsheets.reader import read_order_file
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, seed_reference
from tests.import_files import recipient, write_orders
from tests.unit.batch_helpers import add_customer

ROOT = Path(__file__).resolve().parents[2]


class WaitingGateway(TestGateway):
    """Answers an authorisation only once the other process's edit is done (or 20 s passed)."""

    __test__ = False

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.may_answer = threading.Event()
        self.events: list[str] = []

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        self.asked.set()
        self.may_answer.wait(20)
        self.events.append("authorisation returned")
        return super().authorize(token, amount, idempotency_key)


@pytest.fixture
def gateway() -> WaitingGateway:
    return WaitingGateway()


@pytest.fixture
def application(database_url: str, gateway: WaitingGateway) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=gateway)
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _card_draft(app: Application, name: str) -> int:
    customer = add_customer(app.services, name)
    card = app.services.customers.get(customer).cards[0]
    cart = app.services.cart.add_lines(app.services.cart.start(customer).id, [(SKU_CABERNET, 1)])
    app.services.cart.set_payment(cart.id, "card_on_file", card_id=card.id)
    return cart.id


def _edit_in_another_process(
    database_url: str, draft_id: int, gateway: WaitingGateway
) -> subprocess.CompletedProcess[str]:
    """Another operator adds a line to ``draft_id``; then the gateway may answer."""
    edit = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.cart_edit_worker",
            database_url,
            str(draft_id),
            SKU_GIFT_BOX,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    gateway.events.append("edit finished")
    gateway.may_answer.set()
    return edit


def test_another_process_edits_a_cart_while_a_checkout_waits_on_the_gateway(
    application: Application, database_url: str, gateway: WaitingGateway
) -> None:
    mine = _card_draft(application, "Ann")
    theirs = _card_draft(application, "Bob")
    placed: list[object] = []
    checkout = threading.Thread(target=lambda: placed.append(application.services.checkout.place(mine)))
    checkout.start()
    assert gateway.asked.wait(20)

    edit = _edit_in_another_process(database_url, theirs, gateway)
    checkout.join(30)

    assert edit.returncode == 0, edit.stderr[-2000:]
    assert gateway.events == ["edit finished", "authorisation returned"]
    assert placed and application.services.cart.get(theirs).lines[-1].sku == SKU_GIFT_BOX


@pytest.mark.parametrize("one_payment", [False, True], ids=["a payment per order", "one payment"])
def test_another_process_edits_a_cart_while_an_import_waits_on_the_gateway(
    application: Application, database_url: str, gateway: WaitingGateway, tmp_path: Path, one_payment: bool
) -> None:
    services = application.services
    purchaser = add_customer(services, "Pat")
    theirs = _card_draft(application, "Bob")
    parsed = read_order_file(write_orders(tmp_path / "gifts.xlsx", [recipient(), recipient("Cy", "Jones")]))
    payment = services.imports.choose_payment(purchaser, "card_on_file")
    done: list[object] = []
    importing = threading.Thread(
        target=lambda: done.append(services.imports.run(parsed, purchaser, payment, one_payment=one_payment))
    )
    importing.start()
    assert gateway.asked.wait(20)

    edit = _edit_in_another_process(database_url, theirs, gateway)
    importing.join(30)

    assert edit.returncode == 0, edit.stderr[-2000:]
    assert gateway.events[:2] == ["edit finished", "authorisation returned"]
    assert done and done[0].orders == 2  # type: ignore[attr-defined]
    assert services.cart.get(theirs).lines[-1].sku == SKU_GIFT_BOX
