"""Partial capture per shipment on SQLite and PostgreSQL: each shipment of a card order captures its
share with no transaction open while the gateway answers, the last one the rest, and the payment
history lists every capture."""

from __future__ import annotations

import io
import time
from decimal import Decimal

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.money import money
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer
from oms_core.storage import make_engine
from oms_core.storage.exports import SqlExportSource
from oms_tui.cli import main
from tests.unit.batch_helpers import add_customer


class WatchingGateway(TestGateway):
    """While each capture is asked, another connection locks the order row and writes: it would wait
    (SQLite's write lock, PostgreSQL's row lock) if the capture's caller held a transaction open."""

    __test__ = False

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.order_id = 0
        self.waits: list[float] = []

    def capture(
        self, reference: str, amount: Decimal | None, idempotency_key: str, final: bool = True
    ) -> GatewayAnswer:
        application = bootstrap.build(bootstrap.Config(self.url, operator="root"))
        try:
            started = time.monotonic()
            with application.uow_factory(write=True) as uow:
                uow.orders.get(
                    self.order_id
                )  # SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite
                uow.reference.save_setting("probe", str(started))
                uow.commit()
            self.waits.append(time.monotonic() - started)
        finally:
            application.close()
        return super().capture(reference, amount, idempotency_key, final)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _skus(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with SqlExportSource(engine) as source:
            return [p.sku for p in source.products("", 30) if p.stock_on_hand > 10 and p.active][:2]
    finally:
        engine.dispose()


def test_each_shipment_captures_its_share_outside_any_transaction(database_url):
    bootstrap.seed_database(database_url, SeedPlan(customers=3, products=12, orders=0, seed=7))
    gateway = WatchingGateway(database_url)
    application = bootstrap.build(bootstrap.Config(database_url, operator="root"), gateway=gateway)
    try:
        services = application.services
        first_sku, second_sku = _skus(database_url)
        customer = add_customer(services, "Capture")
        cart = services.cart.start(customer)
        cart = services.cart.add_lines(cart.id, [(first_sku, 2), (second_sku, 3)])
        order = services.checkout.place(cart.id, confirm_duplicate=True)
        gateway.order_id = order.id
        services.fulfilment.release(order.id)

        first = services.fulfilment.ship(
            order.id, ShipRequest("UPS", "Ground", "1ZPART0001", ((first_sku, 2),))
        )
        second = services.fulfilment.ship(
            order.id, ShipRequest("UPS", "Ground", "1ZPART0002", ((second_sku, 1),))
        )
        assert services.orders.get(order.id).payments[0].status == "authorized"
        last = services.fulfilment.ship(order.id, ShipRequest("FedEx", "", "7489000001"))
        assert (first.capture, second.capture, last.capture) == ("captured", "captured", "captured")
        amounts = [amount for _, amount in gateway.captured]
        with application.uow_factory() as uow:
            stored = uow.orders.get(order.id)
        one, other = stored.lines
        shipping = stored.shipping_charge + stored.shipping_tax  # with the first shipment
        assert amounts[0] == one.line_total + one.line_tax + shipping
        assert amounts[1] == money((other.line_total + other.line_tax) / 3)
        assert sum(amounts) == order.total  # the last one takes what is left: no cent behind
        view = services.orders.get(order.id)
        assert (view.status, [(p.status, p.amount) for p in view.payments]) == (
            "shipped",
            [("captured", order.total)],
        )
        assert max(gateway.waits) < 2.0, gateway.waits  # nobody had the order or the database locked
        number = view.number
    finally:
        application.close()

    status, out, err = oms("--db", database_url, "payments", "history", str(number))
    assert status == 0, err
    captures = [line for line in out.splitlines() if "capture" in line]
    assert len(captures) == 3, out
    assert [("partial capture" in line) for line in captures] == [True, True, False]
    assert all("approved" in line for line in captures)
