"""The Quick Order Pad's language: every way an item can be written, and what is wrong per line."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.quick_pad import MAX_PAD_LINES, format_items, keep_lines, parse_pad


def _items(text: str) -> list[tuple[str, int]]:
    return [(item.sku, item.quantity) for item in parse_pad(text).items]


@pytest.mark.parametrize(
    "line",
    [
        "WINE-CAB 3",
        "WINE-CAB x 3",
        "WINE-CAB X3",
        "WINE-CAB x3",
        "WINE-CAB 3x",
        "WINE-CAB * 3",
        "3 WINE-CAB",
        "3 x WINE-CAB",
        "3x WINE-CAB",
        "wine-cab 3",
        "WINE-CAB,3",
        "WINE-CAB, 3",
        "WINE-CAB\t3",
        "3\tWINE-CAB",
        "WINE-CAB;3",
        '"WINE-CAB","3"',
        "  WINE-CAB   3  ",
        "WINE-CAB 3.0",
    ],
)
def test_every_way_of_writing_an_item_reads_the_same(line):
    assert _items(line) == [("WINE-CAB", 3)]


def test_a_sku_alone_means_one():
    assert _items("WINE-CAB\nGIFT-BOX") == [("WINE-CAB", 1), ("GIFT-BOX", 1)]


def test_blank_lines_are_ignored_and_line_numbers_are_the_editors():
    parsed = parse_pad("\n\nWINE-CAB 2\n   \nGIFT-BOX 1\n")
    assert [line.number for line in parsed.lines] == [3, 5]


def test_repeated_skus_are_merged_whatever_their_case():
    parsed = parse_pad("WINE-CAB 2\nGIFT-BOX\nwine-cab 3\nWine-Cab x1")
    assert [(i.sku, i.quantity, i.lines) for i in parsed.items] == [
        ("WINE-CAB", 6, (1, 3, 4)),
        ("GIFT-BOX", 1, (2,)),
    ]


def test_thousands_separators_are_quantities_not_cells():
    assert _items("WINE-CAB 1,000") == [("WINE-CAB", 1000)]
    assert _items('WINE-CAB,"1,000"') == [("WINE-CAB", 1000)]
    assert _items("1,000 x WINE-CAB") == [("WINE-CAB", 1000)]


def test_a_spreadsheet_paste_with_a_header_row_uses_its_columns():
    text = "Item #\tDescription\tQty\tPrice\nWINE-CAB\tCabernet 2019\t6\t35.00\nGIFT-BOX\tGift box\t\t12.00"
    parsed = parse_pad(text)
    assert parsed.lines[0].header
    assert _items(text) == [("WINE-CAB", 6), ("GIFT-BOX", 1)]


def test_a_header_with_the_quantity_first_reads_the_rows_that_way():
    assert _items("Qty,SKU\n2,WINE-CAB\n12,GIFT-BOX") == [("WINE-CAB", 2), ("GIFT-BOX", 12)]


def test_a_description_cell_between_sku_and_quantity_is_skipped():
    assert _items("WINE-CAB,Cabernet 2019,4") == [("WINE-CAB", 4)]


def test_quoted_cells_may_hold_the_delimiter():
    assert _items('"WINE-CAB","Cabernet, 2019","4"') == [("WINE-CAB", 4)]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("WINE-CAB 0", "quantity must be at least 1"),
        ("WINE-CAB -2", "quantity must be at least 1"),
        ("WINE-CAB 2.5", "quantity must be a whole number"),
        ("WINE-CAB three", "'three' is not a quantity"),
        ("WINE-CAB 100001", "quantity must be at most 100,000"),
        ("WINE-CAB 3 4", "expected a SKU and a quantity, one item per line"),
        ("x", "no SKU on this line"),
    ],
)
def test_bad_quantities_are_reported_on_their_own_line(line, problem):
    parsed = parse_pad(f"GIFT-BOX 1\n{line}\nCORK-SCREW 2")
    second = parsed.lines[1]
    assert second.number == 2
    assert second.problem == problem
    assert {item.sku for item in parsed.items} >= {"GIFT-BOX", "CORK-SCREW"}


def test_a_trailing_delimiter_leaves_a_sku_alone_which_means_one():
    assert _items("WINE-CAB,\nGIFT-BOX\t") == [("WINE-CAB", 1), ("GIFT-BOX", 1)]


def test_a_merged_total_over_the_limit_is_a_problem_naming_its_lines():
    parsed = parse_pad("WINE-CAB 60000\nWINE-CAB 60000")
    assert parsed.items[0].problem == "quantity must be at most 100,000 (lines 1, 2)"


def test_control_characters_and_escape_sequences_are_dropped():
    assert _items("WINE-CAB \x1b[31m2\x07") == [("WINE-CAB", 2)]


def test_the_words_of_a_bad_line_are_not_mistaken_for_a_header():
    parsed = parse_pad("WINE-CAB item")
    assert not parsed.lines[0].header
    assert parsed.lines[0].problem == "'item' is not a quantity"


def test_keep_lines_leaves_only_the_lines_to_fix_under_their_header():
    text = "SKU,Qty\nWINE-CAB,1\nNOPE,x\n\nGIFT-BOX,2\nBAD,0"
    assert keep_lines(text, {3, 6}) == "SKU,Qty\nNOPE,x\nBAD,0"
    assert keep_lines(text, set()) == ""


def test_items_can_be_written_back_as_pad_text():
    assert format_items([("WINE-CAB", 2), ("GIFT-BOX", 1)]) == "WINE-CAB 2\nGIFT-BOX 1"
    assert _items(format_items([("WINE-CAB", 2)])) == [("WINE-CAB", 2)]


def test_a_pad_longer_than_the_limit_is_refused():
    with pytest.raises(ValidationError):
        parse_pad("\n".join(f"SKU-{i} 1" for i in range(MAX_PAD_LINES + 1)))
