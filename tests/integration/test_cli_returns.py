"""``oms returns add|refund|list|credit`` on SQLite and PostgreSQL: the office's returns from the
command line, with one-line errors."""

from __future__ import annotations

import io

import pytest

from oms_core import bootstrap
from oms_core.domain.fulfilment import ShipRequest
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, seed_reference
from tests.unit.batch_helpers import add_customer


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def shipped(database_url: str) -> tuple[str, int, str]:
    application = bootstrap.build(bootstrap.Config(database_url, operator="root"))
    try:
        with application.uow_factory(write=True) as uow:
            seed_reference(uow)
            uow.commit()
        services = application.services
        customer = add_customer(services, "Ann")
        cart = services.cart.add_lines(
            services.cart.start(customer).id, [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 1)]
        )
        services.cart.set_payment(cart.id, "check", check_number="100")
        order = services.checkout.place(cart.id, confirm_duplicate=True)
        services.fulfilment.ship(order.id, ShipRequest("UPS"))
        number = services.customers.get(customer).number
    finally:
        application.close()
    return database_url, order.number or 0, number


def test_a_return_by_check_then_store_credit_then_the_list_and_the_balance(shipped):
    url, number, customer = shipped
    status, out, err = oms(
        "--db", url, "returns", "add", str(number), "--items", f"{SKU_CABERNET} 2, {SKU_CHARDONNAY} 1 w",
        "--reason", "damaged", "--note", "wet box", "--refund", "check", "--check-number", "5001",
        "--amount", "10",
    )  # fmt: skip
    assert status == 0, err
    assert (
        "RMA-1  order" in out
        and f"2 x {SKU_CABERNET} (restock)" in out
        and f"1 x {SKU_CHARDONNAY} (write off)" in out
    )
    assert "refund check #5001 10.00: refunded" in out
    status, out, err = oms("--db", url, "returns", "refund", "RMA-1", "--refund", "credit", "--amount", "5")
    assert status == 0, err
    assert "refund store credit 5.00: refunded" in out
    status, out, err = oms("--db", url, "returns", "list")
    assert status == 0 and out.count("RMA-1") == 1 and "note: wet box" in out
    status, out, err = oms("--db", url, "returns", "credit", customer)
    assert status == 0, err
    assert out.splitlines()[0].endswith("store credit 5.00") and "refund for RMA-1" in out


def test_bad_input_is_one_line_naming_what_is_wrong_and_writes_nothing(shipped):
    url, number, _ = shipped
    status, out, err = oms(
        "--db", url, "returns", "add", str(number), "--items", f"{SKU_CABERNET} 9", "--reason", "damaged"
    )
    assert status != 0 and err.count("\n") == 1 and f"only 3 of {SKU_CABERNET}" in err
    status, _, err = oms(
        "--db", url, "returns", "add", str(number), "--items", f"{SKU_CABERNET} two", "--reason", "d"
    )
    assert status != 0 and err.count("\n") == 1 and "is not a quantity" in err
    status, _, err = oms("--db", url, "returns", "refund", "RMA-x", "--refund", "credit")
    assert status != 0 and err.count("\n") == 1 and "is not a return number" in err
    status, out, _ = oms("--db", url, "returns", "list")
    assert status == 0 and out == "no returns\n"


def test_a_long_list_pages_by_keyset_with_before(shipped):
    url, number, _ = shipped
    for _ in range(3):
        status, _, err = oms(
            "--db", url, "returns", "add", str(number), "--items", f"{SKU_CABERNET} 1", "--reason", "damaged"
        )
        assert status == 0, err

    def listed(*extra: str) -> tuple[list[str], str]:
        status, out, err = oms("--db", url, "returns", "list", *extra)
        assert status == 0
        return [word for word in out.split() if word.startswith("RMA-")], err

    assert listed() == (["RMA-3", "RMA-2", "RMA-1"], "")
    assert listed("--limit", "2") == (["RMA-3", "RMA-2"], "older returns: add --before RMA-2\n")
    assert listed("--limit", "2", "--before", "RMA-2") == (["RMA-1"], "")
    assert listed("--before", "1") == ([], "")
    status, out, err = oms("--db", url, "returns", "list", "--before", "RMA-x")
    assert status != 0 and out == "" and err.count("\n") == 1 and "is not a return number" in err
    status, out, err = oms("--db", url, "returns", "list", "--before", "RMA-99")
    assert status != 0 and out == "" and err.count("\n") == 1
