"""kill -9 at each step of checkout, on SQLite and PostgreSQL, then reconcile: no order without
its authorisation, no second authorisation, no stock held by a dead attempt.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.read_models import OrderFilter
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, seed_reference
from tests.recording_gateway import RecordingGateway, live_holds
from tests.unit.batch_helpers import add_customer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "gateway.log"


@pytest.fixture
def application(database_url: str, log: Path) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=RecordingGateway(log))
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _stock(app: Application) -> dict[str, int]:
    with app.uow_factory() as uow:
        return {sku: uow.products.get_by_sku(sku).stock_on_hand for sku in (SKU_CABERNET, SKU_GIFT_BOX)}  # type: ignore[union-attr]


def _draft(app: Application) -> int:
    services = app.services
    customer = add_customer(services, "Kim")
    card = services.customers.get(customer).cards[0]
    cart = services.cart.start(customer)
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 2), (SKU_GIFT_BOX, 1)])
    services.cart.set_payment(cart.id, "card_on_file", card_id=card.id)
    return cart.id


def _kill_at(database_url: str, draft_id: int, log: Path, step: str) -> int:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.payment_kill_worker",
            database_url,
            str(draft_id),
            str(log),
            step,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, -9), done.stderr[-3000:]
    return done.returncode


@pytest.mark.parametrize("step", ["before-gateway", "in-gateway", "before-commit", "done"])
def test_a_checkout_killed_at_any_step_is_finished_by_reconcile(
    application: Application, database_url: str, log: Path, step: str
) -> None:
    before = _stock(application)
    draft_id = _draft(application)

    status = _kill_at(database_url, draft_id, log, step)
    assert status == (0 if step == "done" else -9)

    report = application.services.payments.reconcile()
    assert report.waiting == 0

    placed = application.services.orders.list(OrderFilter(), limit=100)
    holds = live_holds(log)
    references = []
    for summary in placed:
        order = application.services.orders.get(summary.id)
        [payment] = order.payments
        references.append(payment.reference)
        assert holds.get(payment.reference) == 1  # the order's authorisation is live, once
    assert sorted(holds) == sorted(references)  # no hold without an order
    with application.uow_factory() as uow:
        assert uow.gateway_calls.unsettled() == []
    after = _stock(application)
    # Whatever step it died at, reconcile asked the gateway with the same key and placed the draft
    # exactly once, its stock taken once.
    assert len(placed) == 1
    assert after[SKU_CABERNET] == before[SKU_CABERNET] - 2
    assert after[SKU_GIFT_BOX] == before[SKU_GIFT_BOX] - 1


def _club(app: Application, members: int) -> tuple[int, list[int]]:
    ids = [add_customer(app.services, f"Member{i}", type_code="WINECLUB") for i in range(members)]
    shipment = app.services.clubs.create_shipment(
        "Fall release", "WINECLUB", [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND"
    )
    return shipment.id, ids


@pytest.mark.parametrize("step", ["before-gateway", "in-gateway", "before-commit", "done"])
def test_a_club_chunk_killed_at_any_step_then_reconciled_and_resumed_charges_each_member_once(
    application: Application, database_url: str, log: Path, step: str
) -> None:
    before = _stock(application)
    shipment_id, members = _club(application, 6)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.club_kill_worker",
            database_url,
            str(shipment_id),
            str(log),
            step,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == (0 if step == "done" else -9), done.stderr[-3000:]

    assert application.services.payments.reconcile().waiting == 0
    with application.uow_factory() as uow:
        assert uow.gateway_calls.unsettled() == []
    # Nothing placed by the dead run is lost and no hold is left without its order ...
    holds = live_holds(log)
    club_orders = [
        application.services.orders.get(o.id)
        for o in application.services.orders.list(OrderFilter(), limit=100)
    ]
    assert sorted(holds) == sorted(o.payments[0].reference for o in club_orders)
    assert _stock(application)[SKU_CABERNET] == before[SKU_CABERNET] - 2 * len(club_orders)

    # ... and the next run places the rest: one order and one hold per member, stock taken once each.
    application.services.clubs.process(shipment_id)
    club_orders = [
        application.services.orders.get(o.id)
        for o in application.services.orders.list(OrderFilter(), limit=100)
    ]
    assert sorted(o.customer.id for o in club_orders if o.customer) == sorted(members)
    holds = live_holds(log)
    assert sorted(holds) == sorted(o.payments[0].reference for o in club_orders)
    assert set(holds.values()) == {1}
    assert _stock(application)[SKU_CABERNET] == before[SKU_CABERNET] - 2 * len(members)
