"""The import template: what it holds, and that a client filling it in gets a clean import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from oms_core.spreadsheets.columns import template_headers
from oms_core.spreadsheets.reader import read_order_file
from oms_core.spreadsheets.template import write_template
from tests.fakes import (
    SHIPPING_METHODS,
    SKU_CABERNET,
    SKU_CHARDONNAY,
    SKU_CORKSCREW,
    FakeUnitOfWorkFactory,
    FixedClock,
)

METHODS = [(m.code, m.name) for m in SHIPPING_METHODS]


def test_the_template_has_the_header_an_example_and_instructions(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx", METHODS)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Orders", "Instructions"]
    orders = workbook["Orders"]
    assert [c.value for c in orders[1]] == template_headers(3)
    example = [c.value for c in orders[2]]
    assert example[:2] == ["Jane", "Example"] and example[11] == "GROUND"
    assert orders.max_row == 2
    instructions = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    for header in ("Recipient First Name", "ZIP", "Ship Method", "Gift Message", "SKU n", "Qty n"):
        assert header in instructions
    assert [c for c in instructions if c in {"GROUND", "2DAY", "FREIGHT", "WILLCALL"}] == [
        "GROUND",
        "2DAY",
        "FREIGHT",
        "WILLCALL",
    ]


def test_the_ship_method_column_offers_a_drop_down_of_the_shipping_methods(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(write_template(tmp_path / "template.xlsx", METHODS))
    validations = workbook["Orders"].data_validations.dataValidation
    lists = [v for v in validations if v.type == "list"]
    assert len(lists) == 1
    assert str(lists[0].sqref) == "L2:L20001"
    sheet, cells = lists[0].formula1.split("!")
    assert sheet == "'Instructions'"
    first, last = (int(ref.split("$")[-1]) for ref in cells.split(":"))
    listed = [workbook["Instructions"].cell(row, 1).value for row in range(first, last + 1)]
    assert listed == ["GROUND", "2DAY", "FREIGHT", "WILLCALL"]
    assert any(v.type == "whole" for v in validations)


def test_the_zip_column_is_text_so_excel_keeps_leading_zeros(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(write_template(tmp_path / "template.xlsx", METHODS))
    assert workbook["Orders"].column_dimensions["H"].number_format == "@"


def test_the_written_template_filled_with_rows_imports_cleanly(
    tmp_path: Path, fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    path = write_template(tmp_path / "template.xlsx", METHODS)
    workbook = openpyxl.load_workbook(path)
    orders = workbook["Orders"]
    orders.append(
        [
            "Ann",
            "Smith",
            "",
            "12 Oak St",
            "",
            "Boston",
            "MA",
            "02134",
            "",
            "",
            "",
            "GROUND",
            "",
            "Cheers",
            SKU_CABERNET,
            2,
            SKU_CORKSCREW,
            1,
        ]
    )
    orders.append(
        [
            "Bob",
            "Jones",
            "Acme",
            "1 Broadway",
            "Fl 3",
            "New York",
            "NY",
            10004,
            "US",
            "212-555-0100",
            "",
            "2DAY",
            "2026-12-10",
            "",
            SKU_CHARDONNAY,
            3,
        ]
    )
    workbook.save(path)
    parsed = read_order_file(path)
    assert parsed.problems == ()
    assert [w.reason for w in parsed.warnings] == ["the template's example row (Jane Example) was skipped"]
    services = Services.build(ServiceContext(fake_factory, TestGateway(), clock, "alice"))
    buyer = services.customers.create(
        CustomerInput(
            first_name="Pat",
            last_name="Buyer",
            address=Address(name="Pat", address1="1 Corp Way", city="Portland", state="OR", zip="97205"),
        ),
        allow_duplicate=True,
    ).customer
    assert buyer is not None
    services.customers.add_card(buyer.id, CardEntry("4111111111111111", 12, 2030))
    payment = services.imports.choose_payment(buyer.id, "card_on_file")
    preview = services.imports.dry_run(parsed, buyer.id, payment)
    assert preview.ok and preview.ready == 2
    result = services.imports.run(parsed, buyer.id, payment)
    assert result.orders == 2


@pytest.mark.parametrize("pairs", [1, 5])
def test_the_template_can_start_with_more_pairs(tmp_path: Path, pairs: int) -> None:
    workbook = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", METHODS, pairs=pairs))
    assert [c.value for c in workbook["Orders"][1]][-2:] == [f"SKU {pairs}", f"Qty {pairs}"]
