"""Changing a placed order on SQLite and PostgreSQL, through ``oms change`` (the Order screen's ``e``
calls the same service): stock both ways, the card re-authorised, refusals in one line."""

from __future__ import annotations

import io

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.domain.payments import CardEntry
from oms_core.read_models import OrderView
from oms_core.services.customers import CustomerInput
from oms_core.storage import SqlUnitOfWorkFactory
from oms_tui.cli import main
from tests.integration.storage_builders import product
from tests.unit.test_services_orders import CA_HOME


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _office(url: str, uow_factory: SqlUnitOfWorkFactory) -> tuple[OrderView, dict[str, int], str]:
    """A placed card order of two lines; the stock of each SKU; a SKU not on the order."""
    bootstrap.seed_database(url, SeedPlan(customers=3, products=6, orders=0, seed=3))
    with uow_factory(write=True) as uow:
        for sku in ("CHG-A", "CHG-B", "CHG-C"):
            uow.products.add(product(sku, "20.00", stock=50))
        uow.commit()
    application = bootstrap.build(bootstrap.Config(url, operator="root"))
    try:
        services = application.services
        created = services.customers.create(
            CustomerInput(first_name="Ann", last_name="Smith", address=CA_HOME), allow_duplicate=True
        ).customer
        assert created is not None
        card = services.customers.add_card(created.id, CardEntry("4111111111111111", 4, 2030))
        cart = services.cart.start(created.id)
        cart = services.cart.add_lines(cart.id, [("CHG-A", 2), ("CHG-B", 3)])
        cart = services.cart.set_payment(cart.id, "card_on_file", card_id=card.id)
        order = services.checkout.place(cart.id, confirm_duplicate=True)
    finally:
        application.close()
    return order, _get(url, order.id)[1], "CHG-C"


def _get(url: str, order_id: int) -> tuple[OrderView, dict[str, int]]:
    application = bootstrap.build(bootstrap.Config(url, operator="root"))
    try:
        services = application.services
        order = services.orders.get(order_id)
        stock = {p.sku: p.stock_on_hand for p in services.cart.find_products("CHG-", None, limit=50)}
        return order, stock
    finally:
        application.close()


def test_oms_change_moves_stock_both_ways_and_re_authorises_the_card(database_url, uow_factory):
    order, stock, other = _office(database_url, uow_factory)
    first, second = (line.sku for line in order.lines)

    status, out, err = oms(
        "--db",
        database_url,
        "change",
        str(order.number),
        "--set",
        f"{first}=0",
        "--set",
        f"{second}=5",
        "--set",
        f"{other}=1",
        "--shipping",
        "2DAY",
    )

    assert status == 0, err
    changed, after = _get(database_url, order.id)
    assert {line.sku: line.quantity for line in changed.lines} == {second: 5, other: 1}
    assert after[first] == stock[first] + 2
    assert after[second] == stock[second] - 2
    assert after[other] == stock[other] - 1
    assert [p.status for p in changed.payments] == ["voided", "authorized"]
    assert changed.payments[-1].amount == changed.total
    assert f"{first} removed (was 2)" in out.splitlines()
    assert f"{second}: 3 -> 5" in out.splitlines()
    assert any(event.action == "changed" for event in changed.audit)


def test_a_released_order_is_refused_in_one_line_and_nothing_moves(database_url, uow_factory):
    order, stock, _ = _office(database_url, uow_factory)
    assert oms("--db", database_url, "release", str(order.number))[0] == 0
    first = order.lines[0].sku

    status, out, err = oms("--db", database_url, "change", str(order.number), "--set", f"{first}=9")

    assert status != 0 and out == ""
    assert err == f"oms: error: order {order.number} is released; it can no longer be changed\n"
    changed, after = _get(database_url, order.id)
    assert changed.lines == order.lines and after == stock
