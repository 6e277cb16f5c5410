"""kill -9 at each step of a checkout, a club chunk and an import paying per order (or once), on
SQLite and PostgreSQL, then reconcile: no order without its authorisation, no second authorisation,
no stock held by a dead attempt. The worker is ``tests/integration/payment_kill_worker.py``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.read_models import OrderFilter, OrderView
from oms_core.spreadsheets.reader import read_order_file
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, seed_reference
from tests.import_files import recipient, write_orders
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


STEPS = ["before-gateway", "in-gateway", "before-commit", "done"]


def _kill_at(kind: str, database_url: str, ident: int, log: Path, step: str, *extra: str) -> int:
    """Run the worker; its exit status (-9 when it was killed)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.payment_kill_worker",
            kind,
            database_url,
            str(ident),
            str(log),
            step,
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == (0 if step == "done" else -9), done.stderr[-3000:]
    return done.returncode


@pytest.mark.parametrize("step", STEPS)
def test_a_checkout_killed_at_any_step_is_finished_by_reconcile(
    application: Application, database_url: str, log: Path, step: str
) -> None:
    before = _stock(application)
    draft_id = _draft(application)

    _kill_at("checkout", database_url, draft_id, log, step)

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


@pytest.mark.parametrize("step", STEPS)
def test_a_club_chunk_killed_at_any_step_then_reconciled_and_resumed_charges_each_member_once(
    application: Application, database_url: str, log: Path, step: str
) -> None:
    before = _stock(application)
    shipment_id, members = _club(application, 6)

    _kill_at("club", database_url, shipment_id, log, step)

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


def _orders(app: Application) -> list[OrderView]:
    return [app.services.orders.get(o.id) for o in app.services.orders.list(OrderFilter(), limit=100)]


@pytest.mark.parametrize("kind", ["import", "import-one"], ids=["a payment per order", "one payment"])
@pytest.mark.parametrize("step", STEPS)
def test_an_import_killed_at_any_step_then_reconciled_leaves_no_order_no_hold_and_no_stock_taken(
    application: Application, database_url: str, log: Path, tmp_path: Path, step: str, kind: str
) -> None:
    before = _stock(application)
    purchaser = add_customer(application.services, "Pat")
    rows = [recipient(f"R{i}", address1=f"{i} Elm St", items=((SKU_CABERNET, 2),)) for i in range(6)]
    path = write_orders(tmp_path / "gifts.xlsx", rows)

    _kill_at(kind, database_url, purchaser, log, step, str(path))

    assert application.services.payments.reconcile().waiting == 0
    with application.uow_factory() as uow:
        assert uow.gateway_calls.unsettled() == []
    orders = _orders(application)
    # All or nothing: every order with its hold, or no order and no hold left on the card.
    assert len(orders) == (6 if step == "done" else 0)
    assert sorted(live_holds(log)) == sorted({o.payments[0].reference for o in orders})
    assert _stock(application)[SKU_CABERNET] == before[SKU_CABERNET] - 2 * len(orders)
    if step == "done":
        return

    # The operator imports the file again: every order placed, each hold made once, stock taken once.
    payment = application.services.imports.choose_payment(purchaser, "card_on_file")
    application.services.imports.run(
        read_order_file(path), purchaser, payment, one_payment=kind == "import-one"
    )
    orders = _orders(application)
    assert len(orders) == 6
    holds = live_holds(log)
    assert sorted(holds) == sorted({o.payments[0].reference for o in orders})
    assert set(holds.values()) == {1}
    assert _stock(application)[SKU_CABERNET] == before[SKU_CABERNET] - 12
