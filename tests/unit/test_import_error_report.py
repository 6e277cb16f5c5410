"""The error report: a copy of the client's file with an Errors column and the bad cells marked."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from oms_core.domain.imports import ImportProblem
from oms_core.spreadsheets.error_report import default_report_path, write_error_report
from oms_core.spreadsheets.reader import read_order_file
from tests.fakes import SKU_CABERNET
from tests.import_files import recipient, write_orders


def _problems(path: Path, bob_row: int = 3) -> tuple[list[ImportProblem], object]:
    parsed = read_order_file(path)
    service_problems = [
        ImportProblem(bob_row, "O", "SKU 1", "unknown SKU 'NOPE'"),
        ImportProblem(bob_row, "", "", "the same recipient as row 2"),
        ImportProblem(None, "", "", "WINE-CAB-2019: the file orders 120 units and only 100 are in stock"),
    ]
    return [*parsed.problems, *service_problems], parsed


def test_the_report_is_a_copy_with_an_errors_column_and_highlighted_cells(tmp_path: Path) -> None:
    source = write_orders(
        tmp_path / "gifts.xlsx",
        [recipient(items=((SKU_CABERNET, "two"),)), recipient("Bob", items=(("NOPE", 1),))],
        title_rows=[["Corp gifts"]],
    )
    problems, parsed = _problems(source, bob_row=4)
    out = write_error_report(source, parsed, problems)  # type: ignore[arg-type]
    assert out == tmp_path / "gifts-errors.xlsx" == default_report_path(source)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Orders"]
    assert sheet["A1"].value == "Corp gifts"
    header = [c.value for c in sheet[2]]
    assert header[-1] == "Errors" and len(header) == 19
    errors_column = len(header)
    assert sheet.cell(3, errors_column).value == "Qty 1: 'two' is not a quantity (SKU 'WINE-CAB-2019')"
    assert sheet.cell(4, errors_column).value == "SKU 1: unknown SKU 'NOPE'; the same recipient as row 2"
    assert sheet["P3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["P3"].comment.text == "'two' is not a quantity (SKU 'WINE-CAB-2019')"
    assert sheet["O4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["O4"].comment.text == "unknown SKU 'NOPE'"
    assert sheet["A4"].comment is None and sheet["A4"].fill.fgColor.rgb != "00FFC7CE"
    assert sheet["P3"].value == "two" and sheet["A4"].value == "Bob"  # the client's data is untouched
    listed = list(workbook["Problems"].iter_rows(values_only=True))
    assert listed[0] == ("Row", "Column", "Header", "Problem")
    assert listed[1] == (
        "file",
        None,
        None,
        "WINE-CAB-2019: the file orders 120 units and only 100 are in stock",
    )
    assert len(listed) == 5
    assert source.read_bytes() != out.read_bytes()


def test_the_report_goes_where_the_operator_says(tmp_path: Path) -> None:
    source = write_orders(tmp_path / "gifts.xlsx", [recipient(items=((SKU_CABERNET, 0),))])
    problems, parsed = _problems(source)
    (tmp_path / "out").mkdir()
    out = write_error_report(source, parsed, problems, tmp_path / "out" / "fixme.xlsx")  # type: ignore[arg-type]
    assert out == tmp_path / "out" / "fixme.xlsx" and out.exists()


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    source = write_orders(tmp_path / "gifts.xlsx", [recipient()])
    parsed = read_order_file(source)
    evil = ImportProblem(2, "O", "SKU 1", '=HYPERLINK("http://evil","click")')
    out = write_error_report(source, parsed, [evil])
    cell = openpyxl.load_workbook(out)["Orders"].cell(2, 19)
    assert cell.data_type == "s"
    assert cell.value == 'SKU 1: =HYPERLINK("http://evil","click")'
    comment = openpyxl.load_workbook(out)["Orders"]["O2"].comment
    assert comment is not None and comment.text.startswith("=HYPERLINK")


def test_a_report_sent_back_again_reuses_its_errors_column(tmp_path: Path) -> None:
    source = write_orders(tmp_path / "gifts.xlsx", [recipient(items=((SKU_CABERNET, 0),))])
    problems, parsed = _problems(source)
    first = write_error_report(source, parsed, problems)  # type: ignore[arg-type]
    again = read_order_file(first)
    assert [w.reason for w in again.warnings][0].startswith("column S ('Errors') is not an order column")
    second = write_error_report(
        first, again, [ImportProblem(2, "", "", "still wrong")], tmp_path / "second.xlsx"
    )
    sheet = openpyxl.load_workbook(second)["Orders"]
    assert [c.value for c in sheet[1]].count("Errors") == 1
    assert sheet.cell(2, 19).value == "still wrong"
