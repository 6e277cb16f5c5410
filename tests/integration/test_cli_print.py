"""``oms print``: a day's invoices and packing slips from the command line, all or nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.read_models import OrderFilter
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('print') / 'oms.db'}"
    bootstrap.seed_database(url, SeedPlan(customers=20, products=10, orders=6, seed=5), clock=FixedClock(NOW))
    application = bootstrap.build(bootstrap.Config(url, operator="agarcia"))
    try:
        placed = application.services.orders.list(OrderFilter(), limit=50)
    finally:
        application.close()
    numbers = sorted(o.number for o in placed if o.number is not None)
    assert len(numbers) >= 3
    return url, numbers


def test_print_writes_one_invoice_per_order_and_lists_them(office, tmp_path):
    url, numbers = office
    first, second = numbers[0], numbers[1]
    status, out, err = oms("--db", url, "print", "invoice", str(first), f"#{second}", "--out", str(tmp_path))
    assert status == 0, err
    assert err.strip() == f"wrote 2 invoices to {tmp_path}"
    assert out.splitlines() == [
        str(tmp_path / f"invoice-{first}.pdf"),
        str(tmp_path / f"invoice-{second}.pdf"),
    ]
    text = PdfReader(tmp_path / f"invoice-{first}.pdf").pages[0].extract_text()
    assert f"Order {first}" in text and "INVOICE" in text


def test_a_range_prints_every_order_in_it(office, tmp_path):
    url, numbers = office
    status, _, err = oms(
        "--db", url, "print", "packing-slip", f"{numbers[0]}-{numbers[2]}", "--out", str(tmp_path)
    )
    assert status == 0, err
    assert len(list(tmp_path.glob("packing-slip-*.pdf"))) == numbers[2] - numbers[0] + 1


def test_an_unknown_order_number_writes_nothing(office, tmp_path):
    url, numbers = office
    status, out, err = oms("--db", url, "print", "invoice", str(numbers[0]), "99999", "--out", str(tmp_path))
    assert status == 1
    assert err == "oms: error: no order 99999\n"
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_one_line_and_is_not_created(office, tmp_path):
    url, numbers = office
    status, _, err = oms("--db", url, "print", "invoice", str(numbers[0]), "--out", str(tmp_path / "missing"))
    assert status == 1
    assert err.startswith("oms: error: there is no folder") and err.count("\n") == 1
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("token", ["abc", "1600-1500", "1-999999"])
def test_bad_order_numbers_are_one_line_naming_the_argument(office, tmp_path, token):
    url, _ = office
    status, _, err = oms("--db", url, "print", "invoice", token, "--out", str(tmp_path))
    assert status == 1
    assert err.count("\n") == 1
    assert token in err or "at most 5,000 orders" in err
