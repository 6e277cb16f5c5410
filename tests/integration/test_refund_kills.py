"""kill -9 at each step of a return's card refund, on SQLite and PostgreSQL, then reconcile: the
return stands, the card is refunded exactly once, and the refund is recorded as refunded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.domain.fulfilment import ShipRequest
from tests.fakes import SKU_CABERNET, seed_reference
from tests.recording_gateway import RefundLedgerGateway, refunds
from tests.unit.batch_helpers import add_customer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "gateway.log"


@pytest.fixture
def application(database_url: str, log: Path) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=RefundLedgerGateway(log))
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _shipped(app: Application) -> int:
    services = app.services
    customer = add_customer(services, "Kim")
    cart = services.cart.add_lines(services.cart.start(customer).id, [(SKU_CABERNET, 2)])
    services.cart.set_payment(cart.id, "card_on_file", card_id=services.customers.get(customer).cards[0].id)
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    services.fulfilment.ship(order.id, ShipRequest("UPS"))  # captures the card
    assert services.orders.get(order.id).payments[0].status == "captured"
    return order.id


@pytest.mark.parametrize("step", ["before-gateway", "in-gateway", "done"])
def test_a_card_refund_killed_at_any_step_is_finished_by_reconcile_once(
    application: Application, database_url: str, log: Path, step: str
) -> None:
    order_id = _shipped(application)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.refund_kill_worker",
            database_url,
            str(order_id),
            str(log),
            step,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == (0 if step == "done" else -9), done.stderr[-3000:]
    (item,) = application.services.returns.for_order(order_id)  # the return was committed first
    (refund,) = item.refunds
    assert refund.status == ("refunded" if step == "done" else "pending")

    report = application.services.payments.reconcile()
    assert report.waiting == 0
    application.services.payments.reconcile()  # a second run finds nothing to do
    (item,) = application.services.returns.for_order(order_id)
    (refund,) = item.refunds
    assert refund.status == "refunded"
    assert [amount for _, amount in refunds(log)] == [refund.amount]  # the card refunded exactly once
    actions = [e.action for e in application.services.orders.get(order_id).audit]
    assert actions.count("refunded") == 1
