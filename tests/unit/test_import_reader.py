"""The order-file reader: the tolerances real files from Excel need, and the cells it must refuse."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from oms_core.spreadsheets.columns import match_header, template_headers
from oms_core.spreadsheets.reader import ReaderLimits, parse_date, read_order_file
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX
from tests.import_files import HEADERS, recipient, replace_part, sheet_xml, write_orders


def _read(path: Path, **limits: int):  # noqa: ANN202 - an OrderFile
    return read_order_file(path, ReaderLimits(**limits) if limits else None)


@pytest.mark.parametrize(
    ("header", "meaning"),
    [
        ("Recipient First Name*", ("first_name", 0)),
        ("recipient first name", ("first_name", 0)),
        ("First Name*", ("first_name", 0)),
        ("FIRST_NAME", ("first_name", 0)),
        ("  last   name ", ("last_name", 0)),
        ("Surname", ("last_name", 0)),
        ("ZIP code", ("zip", 0)),
        ("Zip/Postal", ("zip", 0)),
        ("Postal Code", ("zip", 0)),
        ("Ship-To ZIP", ("zip", 0)),
        ("Address 1*", ("address1", 0)),
        ("Street Address", ("address1", 0)),
        ("Address Line 2", ("address2", 0)),
        ("State/Province", ("state", 0)),
        ("Shipping Method", ("ship_method", 0)),
        ("Ship Date", ("ship_date", 0)),
        ("Gift Message", ("gift_message", 0)),
        ("E-mail", ("email", 0)),
        ("SKU", ("sku", 1)),
        ("SKU 1", ("sku", 1)),
        ("sku #12", ("sku", 12)),
        ("Item 3", ("sku", 3)),
        ("Qty", ("qty", 1)),
        ("QTY 2", ("qty", 2)),
        ("Quantity 12", ("qty", 12)),
        ("Favourite colour", None),
        ("", None),
    ],
)
def test_headers_match_whatever_their_case_spacing_and_punctuation(
    header: str, meaning: tuple[str, int] | None
) -> None:
    assert match_header(header) == meaning


def test_a_file_with_the_templates_headers_reads_every_field(tmp_path: Path) -> None:
    row = recipient(
        company="Acme",
        address2="Suite 4",
        phone="617-555-0100",
        email="ann@example.com",
        method="2DAY",
        ship_date=datetime(2026, 12, 15),
        gift="Happy holidays",
        items=((SKU_CABERNET, 2), (SKU_GIFT_BOX, 1)),
    )
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row]))
    assert parsed.problems == () and parsed.warnings == ()
    assert parsed.sheet == "Orders" and parsed.header_row == 1
    [read] = parsed.rows
    assert (read.row, read.first_name, read.last_name, read.company) == (2, "Ann", "Smith", "Acme")
    assert (read.address1, read.address2, read.city, read.state, read.zip) == (
        "12 Oak St",
        "Suite 4",
        "Boston",
        "MA",
        "02134",
    )
    assert (read.country, read.phone, read.email, read.ship_method) == (
        "US",
        "617-555-0100",
        "ann@example.com",
        "2DAY",
    )
    assert read.ship_date == date(2026, 12, 15)
    assert read.gift_message == "Happy holidays"
    assert [(i.sku, i.quantity, i.pair, i.sku_column, i.qty_column) for i in read.items] == [
        (SKU_CABERNET, 2, 1, "O", "P"),
        (SKU_GIFT_BOX, 1, 2, "Q", "R"),
    ]
    assert parsed.column("zip").letter == "H" and parsed.column("zip").header == "ZIP*"
    assert len(parsed.content_hash) == 64


def test_unknown_columns_are_ignored_with_a_warning_naming_them(tmp_path: Path) -> None:
    headers = [*HEADERS[:4], "Favourite colour", *HEADERS[4:]]
    row = recipient()
    row.insert(4, "red")
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row], headers))
    assert parsed.problems == ()
    assert [str(w) for w in parsed.warnings] == [
        "column E (Favourite colour): column E ('Favourite colour') is not an order column; it was ignored"
    ]
    assert parsed.rows[0].address1 == "12 Oak St" and parsed.rows[0].city == "Boston"


def test_numbers_may_be_text_and_text_may_be_numbers(tmp_path: Path) -> None:
    row = recipient(phone=6175550100, items=((12345, " 3 "), (SKU_GIFT_BOX, 2.0)))
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row]))
    assert parsed.problems == ()
    [read] = parsed.rows
    assert read.phone == "6175550100"
    assert [(i.sku, i.quantity) for i in read.items] == [("12345", 3), (SKU_GIFT_BOX, 2)]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (2134, "02134"),
        (2134.0, "02134"),
        ("2134", "02134"),
        ("02134", "02134"),
        (21341234, "02134-1234"),
        ("021341234", "02134-1234"),
        ("02134-1234", "02134-1234"),
        (" 97205 ", "97205"),
    ],
)
def test_zip_codes_excel_turned_into_numbers_get_their_zeros_back(
    tmp_path: Path, cell: object, expected: str
) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [recipient(zip_code=cell)]))
    assert parsed.rows[0].zip == expected


@pytest.mark.parametrize(
    "cell",
    [
        datetime(2026, 12, 15),
        date(2026, 12, 15),
        "2026-12-15",
        "12/15/2026",
        "12/15/26",
        "Dec 15, 2026",
        "December 15 2026",
        "15 Dec 2026",
        "2026/12/15",
        46371,
    ],
)
def test_ship_dates_come_as_dates_or_text(tmp_path: Path, cell: object) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [recipient(ship_date=cell)]))
    assert parsed.problems == ()
    assert parsed.rows[0].ship_date == date(2026, 12, 15)


def test_a_ship_date_that_is_not_a_date_is_a_problem_naming_the_cell(tmp_path: Path) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [recipient(ship_date="next Tuesday")]))
    assert [str(p) for p in parsed.problems] == [
        "row 2, column M (Ship Date): 'next Tuesday' is not a date (write 2026-12-15 or 12/15/2026)"
    ]


def test_empty_rows_are_skipped_and_row_numbers_stay_those_excel_shows(tmp_path: Path) -> None:
    rows = [recipient("Ann"), [], [None, "  ", None], recipient("Bob", address1="9 Elm St")]
    parsed = _read(write_orders(tmp_path / "orders.xlsx", rows))
    assert [(r.row, r.first_name) for r in parsed.rows] == [(2, "Ann"), (5, "Bob")]


def test_a_title_row_above_the_header_is_tolerated(tmp_path: Path) -> None:
    path = write_orders(
        tmp_path / "orders.xlsx",
        [recipient()],
        title_rows=[["Acme Corp holiday gifts 2026"], [], ["Contact: Pat, ext. 12"]],
    )
    parsed = _read(path)
    assert parsed.problems == ()
    assert parsed.header_row == 4
    assert [(r.row, r.first_name) for r in parsed.rows] == [(5, "Ann")]


def test_the_orders_sheet_is_read_whatever_its_position(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["these are not orders"])
    orders = workbook.create_sheet(" orders ")
    orders.append(HEADERS)
    orders.append(recipient())
    workbook.save(tmp_path / "orders.xlsx")
    parsed = _read(tmp_path / "orders.xlsx")
    assert parsed.sheet == " orders " and len(parsed.rows) == 1


def test_without_an_orders_sheet_the_first_visible_sheet_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "Lookup"
    hidden.sheet_state = "hidden"
    gifts = workbook.create_sheet("Gifts")
    gifts.append(HEADERS)
    gifts.append(recipient())
    workbook.save(tmp_path / "orders.xlsx")
    parsed = _read(tmp_path / "orders.xlsx")
    assert parsed.sheet == "Gifts" and len(parsed.rows) == 1


def test_any_number_of_sku_and_qty_pairs_in_any_order(tmp_path: Path) -> None:
    headers = [*HEADERS[:14], "Qty 7", "SKU 7", "SKU 1", "Qty 1", "sku10", "qty10"]
    row = [*recipient()[:14], 7, SKU_GIFT_BOX, SKU_CABERNET, 1, "CORK-SCREW", 10]
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row], headers))
    assert parsed.problems == ()
    assert [(i.pair, i.sku, i.quantity) for i in parsed.rows[0].items] == [
        (1, SKU_CABERNET, 1),
        (7, SKU_GIFT_BOX, 7),
        (10, "CORK-SCREW", 10),
    ]


def test_a_full_name_column_is_split_into_first_and_last(tmp_path: Path) -> None:
    headers = ["Recipient Name", *HEADERS[2:]]
    row = ["Mary Ann Smith", *recipient()[2:]]
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row], headers))
    assert parsed.problems == ()
    assert (parsed.rows[0].first_name, parsed.rows[0].last_name) == ("Mary Ann", "Smith")


@pytest.mark.parametrize(
    ("qty", "reason"),
    [
        ("two", "'two' is not a quantity (SKU 'WINE-CAB-2019')"),
        (2.5, "quantity must be a whole number (SKU 'WINE-CAB-2019')"),
        (0, "quantity must be at least 1 (SKU 'WINE-CAB-2019')"),
        (-3, "quantity must be at least 1 (SKU 'WINE-CAB-2019')"),
        (None, "no quantity for SKU 'WINE-CAB-2019'"),
    ],
)
def test_a_bad_quantity_is_a_problem_naming_row_and_column(tmp_path: Path, qty: object, reason: str) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [recipient(items=((SKU_CABERNET, qty),))]))
    assert [str(p) for p in parsed.problems] == [f"row 2, column P (Qty 1): {reason}"]


def test_a_quantity_without_a_sku_is_a_problem(tmp_path: Path) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [recipient(items=((SKU_CABERNET, 1), (None, 4)))]))
    assert [str(p) for p in parsed.problems] == ["row 2, column R (Qty 2): a quantity without a SKU in SKU 2"]


def test_a_file_without_a_required_column_is_refused_naming_it(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "ZIP*"]
    row = recipient()
    del row[7]
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row], headers))
    assert parsed.refused and parsed.rows == ()
    assert [p.reason for p in parsed.problems] == ["the file has no 'ZIP' column"]


def test_a_sheet_without_a_header_row_is_refused(tmp_path: Path) -> None:
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [["Ann", "Smith"]], ["a", "b", "c"]))
    assert parsed.refused
    assert "no header row in the first 10 rows" in parsed.problems[0].reason


def test_the_templates_example_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    example = recipient("Jane", "Example", address1="123 Example Street", items=(("EXAMPLE-SKU", 2),))
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [example, recipient()]))
    assert [r.first_name for r in parsed.rows] == ["Ann"]
    assert [str(w) for w in parsed.warnings] == [
        "row 2: the template's example row (Jane Example) was skipped"
    ]


def test_a_cell_of_forty_thousand_characters_is_refused_with_a_message(tmp_path: Path) -> None:
    # Excel and openpyxl stop at 32,767 characters; a hostile file need not, so write the XML.
    source = write_orders(tmp_path / "source.xlsx", [recipient(gift="PLACEHOLDER")])
    xml = sheet_xml(source).replace(b"PLACEHOLDER", b"x" * 40_000)
    parsed = _read(replace_part(source, tmp_path / "orders.xlsx", "xl/worksheets/sheet1.xml", xml))
    assert [str(p) for p in parsed.problems] == [
        "row 2, column N (Gift Message): the cell has 40,000 characters; the limit is 1,000"
    ]
    assert parsed.rows[0].gift_message == ""


def test_a_formula_without_a_saved_result_is_one_problem_naming_its_cell(tmp_path: Path) -> None:
    # Before, the same cell was named a second time: "no quantity for SKU 'WINE-CAB-2019'".
    row = recipient(items=((SKU_CABERNET, "=1+1"),))
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row]))
    assert [str(p) for p in parsed.problems] == [
        "row 2, column P (Qty 1): the cell holds a formula with no saved result; "
        "open the file in Excel and save it",
    ]


def test_more_rows_than_the_limit_are_refused_before_the_rest_is_read(tmp_path: Path) -> None:
    rows = [recipient(f"R{i}", address1=f"{i} Elm St") for i in range(12)]
    parsed = _read(write_orders(tmp_path / "orders.xlsx", rows), max_rows=10)
    assert parsed.refused and parsed.rows == ()
    assert parsed.problems[0].reason == (
        "the file has more than 10 order rows (the limit); split it into smaller files"
    )


@pytest.mark.slow
def test_the_default_row_limit_is_twenty_thousand(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(HEADERS)
    row = recipient()
    for _ in range(20_001):
        sheet.append(row)
    workbook.save(tmp_path / "big.xlsx")
    parsed = read_order_file(tmp_path / "big.xlsx")
    assert parsed.refused
    assert "more than 20,000 order rows" in parsed.problems[0].reason


def test_markup_escape_sequences_and_sql_are_read_as_plain_text(tmp_path: Path) -> None:
    row = recipient(
        "[bold red]Bobby[/]",
        "Tables'); DROP TABLE orders;--",
        company="_x001B_[31mRed_x001B_[0m",
        gift="[link=http://x]click[/link]\nline two",
    )
    parsed = _read(write_orders(tmp_path / "orders.xlsx", [row]))
    [read] = parsed.rows
    assert read.first_name == "[bold red]Bobby[/]"
    assert read.last_name == "Tables'); DROP TABLE orders;--"
    assert read.company == "Red"
    assert read.gift_message == "[link=http://x]click[/link]\nline two"


def test_parse_date_refuses_numbers_that_cannot_be_dates() -> None:
    with pytest.raises(ValueError):
        parse_date(12)
    assert parse_date("") is None


def test_template_headers_mark_the_required_columns() -> None:
    headers = template_headers(1)
    assert headers[:2] == ["Recipient First Name*", "Recipient Last Name*"]
    assert headers[-2:] == ["SKU 1", "Qty 1"]
