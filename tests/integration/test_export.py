"""Exports: the contract's field names, money as two-decimal strings, orders flat in CSV/xlsx and
nested in JSON, drafts left out, and pages that add up to the whole table."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from oms_core import bootstrap
from oms_core.bootstrap import Config, build
from oms_core.demo.plan import SeedPlan
from oms_core.services.customers import CustomerInput
from oms_core.services.reports import (
    CUSTOMER_FIELDS,
    LINE_FIELDS,
    ORDER_FIELDS,
    ORDER_FLAT_FIELDS,
    PRODUCT_FIELDS,
    customer_rows,
    product_rows,
)
from oms_core.storage import make_engine
from oms_core.storage.exports import SqlExportSource
from oms_core.storage.tables import orders
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
MONEY = re.compile(r"^\d+\.\d{2}$")
ADDRESS = ["name", "company", "address1", "address2", "city", "state", "zip", "country", "phone"]


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A seeded SQLite office with one open draft and one customer whose company looks like a formula."""
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'oms.db'}"
    bootstrap.seed_database(
        url, SeedPlan(customers=150, products=40, orders=30, seed=3), clock=FixedClock(NOW)
    )
    application = build(Config(url, operator="agarcia"))
    try:
        created = application.services.customers.create(
            CustomerInput(
                first_name="Eve",
                last_name="Formula",
                company='=HYPERLINK("http://x","y")',
                email="eve@example.com",
                phone="(503) 555-0199",
            )  # fmt: skip
        )
        application.services.cart.start(created.customer.id)  # a draft: never exported
    finally:
        application.close()
    return url


def export_text(url: str, kind: str, fmt: str) -> str:
    status, out, err = oms("--db", url, "export", kind, "--format", fmt)
    assert status == 0, err
    return out


def test_customers_export_has_the_contract_fields_in_every_format(office, tmp_path):
    data = json.loads(export_text(office, "customers", "json"))
    assert len(data) == 151
    assert all(list(row) == list(CUSTOMER_FIELDS) for row in data)
    assert list(CUSTOMER_FIELDS) == [
        "number", "first_name", "last_name", "company", "email", "phone", "type", "status",
        "city", "state", "zip",
    ]  # fmt: skip
    first = data[0]
    assert first["number"] == "C000001" and first["city"] and len(first["zip"]) == 5
    table = list(csv.DictReader(io.StringIO(export_text(office, "customers", "csv"))))
    assert [dict(row) for row in table] == data  # every customer field is text
    out = tmp_path / "customers.xlsx"
    assert oms("--db", office, "export", "customers", "--format", "xlsx", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out).active
    assert [cell.value for cell in sheet[1]] == list(CUSTOMER_FIELDS)
    assert sheet.max_row == 152


def test_products_export_writes_money_with_two_decimals_and_booleans(office, tmp_path):
    data = json.loads(export_text(office, "products", "json"))
    assert len(data) == 40
    assert all(list(row) == list(PRODUCT_FIELDS) for row in data)
    assert [row["sku"] for row in data] == sorted(row["sku"] for row in data)
    for row in data:
        assert MONEY.match(row["price"]), row
        assert isinstance(row["stock_on_hand"], int)
        assert isinstance(row["active"], bool) and isinstance(row["backorder"], bool)
    table = list(csv.reader(io.StringIO(export_text(office, "products", "csv"))))
    assert table[0] == list(PRODUCT_FIELDS)
    assert {row[4] for row in table[1:]} <= {"true", "false"}
    assert all(MONEY.match(row[2]) for row in table[1:])


def test_orders_export_nests_lines_addresses_and_payment_in_json(office):
    data = json.loads(export_text(office, "orders", "json"))
    assert len(data) == 30  # the open draft is not exported
    numbers = [order["number"] for order in data]
    assert numbers == sorted(numbers)
    for order in data:
        assert list(order) == list(ORDER_FIELDS)
        assert order["status"] != "draft"
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", order["placed_at"])
        assert list(order["ship_to"]) == ADDRESS and list(order["bill_to"]) == ADDRESS
        assert order["lines"] and all(list(line) == list(LINE_FIELDS) for line in order["lines"])
        for name in ("subtotal", "shipping", "tax", "total"):
            assert MONEY.match(order[name]), order
        for line in order["lines"]:
            assert all(MONEY.match(line[name]) for name in ("unit_price", "tax", "total"))
            assert isinstance(line["quantity"], int)
        cents = lambda text: round(float(text) * 100)  # noqa: E731 - exact for two-decimal strings
        assert cents(order["subtotal"]) == sum(cents(line["total"]) for line in order["lines"])
        assert cents(order["total"]) == cents(order["subtotal"]) + cents(order["shipping"]) + cents(
            order["tax"]
        )
        payment = order["payment"]
        if payment["method"] in ("card", "card_on_file"):
            assert list(payment) == ["method", "last4"] and re.match(r"^\d{4}$", payment["last4"])
        else:
            assert list(payment) == ["method"]


def test_orders_export_is_one_row_per_line_in_csv_and_xlsx(office, tmp_path):
    nested = json.loads(export_text(office, "orders", "json"))
    table = list(csv.DictReader(io.StringIO(export_text(office, "orders", "csv"))))
    assert list(table[0]) == list(ORDER_FLAT_FIELDS)
    assert len(table) == sum(len(order["lines"]) for order in nested)
    first, first_row = nested[0], table[0]
    assert first_row["number"] == str(first["number"])
    assert first_row["ship_to_city"] == first["ship_to"]["city"]
    assert first_row["line_sku"] == first["lines"][0]["sku"]
    assert first_row["total"] == first["total"] and first_row["payment_method"] == first["payment"]["method"]

    out = tmp_path / "orders.xlsx"
    status, _, err = oms("--db", office, "export", "orders", "--format", "xlsx", "--out", str(out))
    assert status == 0 and f"wrote {len(table)} rows to {out}" in err
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(ORDER_FLAT_FIELDS)
    assert sheet.max_row == len(table) + 1
    total = sheet.cell(row=2, column=header.index("total") + 1)
    assert f"{total.value:.2f}" == first["total"] and total.number_format == "0.00"
    assert sheet.cell(row=2, column=header.index("line_sku") + 1).value == first["lines"][0]["sku"]


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(office, tmp_path):
    out = tmp_path / "c.xlsx"
    assert oms("--db", office, "export", "customers", "--format", "xlsx", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out).active
    last = [cell for cell in sheet[sheet.max_row]]
    company = last[CUSTOMER_FIELDS.index("company")]
    assert company.value == '=HYPERLINK("http://x","y")' and company.data_type == "s"


def test_export_to_a_file_replaces_it_whole(office, tmp_path):
    out = tmp_path / "products.csv"
    out.write_text("old contents\n")
    status, stdout, _ = oms("--db", office, "export", "products", "--format", "csv", "--out", str(out))
    assert status == 0 and stdout == ""
    assert out.read_text().startswith("sku,name,price,")
    assert [p.name for p in tmp_path.iterdir()] == ["products.csv"]  # no temporary file left


def test_small_pages_give_the_same_rows_as_large_ones(office):
    engine = make_engine(office)
    try:
        with SqlExportSource(engine) as source:
            assert list(customer_rows(source, page_size=7)) == list(customer_rows(source, page_size=5000))
            assert list(product_rows(source, page_size=3)) == list(product_rows(source))
    finally:
        engine.dispose()


def test_an_empty_database_exports_a_header_or_an_empty_list(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert oms("--db", url, "db", "upgrade")[0] == 0
    assert export_text(url, "orders", "json") == "[]\n"
    assert export_text(url, "orders", "csv").strip() == ",".join(ORDER_FLAT_FIELDS)


def test_exports_read_the_same_on_sqlite_and_postgresql(database_url):
    bootstrap.seed_database(
        database_url, SeedPlan(customers=60, products=25, orders=12, seed=5), clock=FixedClock(NOW)
    )
    customers = json.loads(export_text(database_url, "customers", "json"))
    products = json.loads(export_text(database_url, "products", "json"))
    orders_ = json.loads(export_text(database_url, "orders", "json"))
    assert len(customers) == 60 and len(products) == 25 and len(orders_) == 12
    assert customers[0]["number"] == "C000001"
    assert all(MONEY.match(order["total"]) for order in orders_)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = sorted(conn.scalars(select(orders.c.number).where(orders.c.number.is_not(None))))
    finally:
        engine.dispose()
    assert [order["number"] for order in orders_] == stored
    # Seeded rows took explicit ids: a customer added afterwards must still get a fresh one.
    application = build(Config(database_url, operator="agarcia"))
    try:
        created = application.services.customers.create(
            CustomerInput(
                first_name="Late", last_name="Comer", email="late@example.com", phone="503 222 1234"
            )
        )
        assert created.customer.number == "C000061"
    finally:
        application.close()


def test_more_rows_than_a_sheet_holds_is_refused_and_leaves_no_file(office, tmp_path, monkeypatch):
    monkeypatch.setattr("oms_core.spreadsheets.export_xlsx.MAX_DATA_ROWS", 10)
    out = tmp_path / "big.xlsx"
    status, _, err = oms("--db", office, "export", "customers", "--format", "xlsx", "--out", str(out))
    assert status == 1
    assert "do not fit in one spreadsheet" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_out_file_in_a_missing_folder_is_refused_by_its_own_name(office, tmp_path):
    out = tmp_path / "no" / "such" / "orders.csv"
    status, _, err = oms("--db", office, "export", "orders", "--out", str(out))
    assert status == 1
    assert f"there is no folder {out.parent} to write orders.csv in" in err
