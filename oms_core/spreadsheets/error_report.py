"""The error report: a copy of the client's file marked up so they can fix it and send it back.

The copy keeps every sheet, value and formula of the original. On the order sheet it adds an
"Errors" column after the last used one, with every problem of the row in words, and highlights each
bad cell (a fill, and a comment giving the reason). A "Problems" sheet lists everything, problems
about the whole file first. Text written by the report is always stored as text, never as a formula,
whatever the client's cells held.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from oms_core.domain.imports import ImportProblem, OrderFile
from oms_core.domain.ship_files import ShipFile
from oms_core.spreadsheets.safety import SafetyLimits, read_workbook_bytes
from oms_core.spreadsheets.saving import write_workbook

ERRORS_HEADER = "Errors"
PROBLEMS_SHEET = "Problems"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT = Font(color="9C0006")
_AUTHOR = "oms import"


def default_report_path(source: Path) -> Path:
    """``orders.xlsx`` -> ``orders-errors.xlsx`` in the same folder."""
    return source.with_name(f"{source.stem}-errors.xlsx")


def write_error_report(
    source: Path,
    parsed: OrderFile | ShipFile,
    problems: Sequence[ImportProblem],
    out: Path | None = None,
    limits: SafetyLimits | None = None,
) -> Path:
    """Write the marked-up copy of ``source``.

    Args:
        source: the client's file (checked again by :mod:`.safety` before it is opened).
        parsed: what the reader made of it (which sheet, which header row).
        problems: every problem to show: the reader's and the import service's.
        out: where to write; beside ``source`` (``NAME-errors.xlsx``) when ``None``.
        limits: safety limits for reopening the file.

    Returns:
        The path written.

    Raises:
        UnsafeFile: the source can no longer be opened safely.
        UnwritableOutput: the report cannot be written where asked (see :mod:`oms_core.output_files`).
    """
    target = out or default_report_path(source)
    data = read_workbook_bytes(source, limits)
    workbook = load_workbook(io.BytesIO(data), keep_links=False)
    sheet: Worksheet | None = workbook[parsed.sheet] if parsed.sheet in workbook.sheetnames else None
    if sheet is not None and parsed.header_row:
        _mark_sheet(sheet, parsed.header_row, problems)
        workbook.active = workbook.sheetnames.index(sheet.title)
    _problems_sheet(workbook.create_sheet(_unique_title(workbook.sheetnames)), problems)
    write_workbook(workbook, target)
    return target


def _mark_sheet(sheet: Worksheet, header_row: int, problems: Sequence[ImportProblem]) -> None:
    column = _errors_column(sheet, header_row)
    header = sheet.cell(header_row, column)
    _set_text(header, ERRORS_HEADER)
    header.font = Font(bold=True, color="9C0006")
    by_row: dict[int, list[ImportProblem]] = defaultdict(list)
    for problem in problems:
        if problem.row is not None:
            by_row[problem.row].append(problem)
    for row, found in sorted(by_row.items()):
        cell = sheet.cell(row, column)
        _set_text(cell, "; ".join(_describe(p) for p in found))
        cell.font = ERROR_FONT
        by_cell: dict[str, list[str]] = defaultdict(list)
        for problem in found:
            if problem.column:
                by_cell[problem.column].append(problem.reason)
        for letter, reasons in by_cell.items():
            bad = sheet[f"{letter}{row}"]
            bad.fill = BAD_FILL
            text = ILLEGAL_CHARACTERS_RE.sub("", "\n".join(reasons))
            bad.comment = Comment(text, _AUTHOR, width=300, height=max(60, 20 * len(reasons)))
    sheet.column_dimensions[header.column_letter].width = 60


def _errors_column(sheet: Worksheet, header_row: int) -> int:
    """An existing "Errors" column (a report sent back again), else the first one after the data."""
    for cell in sheet[header_row]:
        if isinstance(cell.value, str) and cell.value.strip().lower() == ERRORS_HEADER.lower():
            for row in sheet.iter_rows(min_row=header_row + 1, min_col=cell.column, max_col=cell.column):
                row[0].value = None  # last round's errors are stale
            return cell.column
    return sheet.max_column + 1


def _describe(problem: ImportProblem) -> str:
    label = problem.header or (f"column {problem.column}" if problem.column else "")
    return f"{label}: {problem.reason}" if label else problem.reason


def _problems_sheet(sheet: Worksheet, problems: Sequence[ImportProblem]) -> None:
    sheet.append(["Row", "Column", "Header", "Problem"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0, p.column))
    for problem in ordered:
        sheet.append([problem.row if problem.row is not None else "file", "", "", ""])
        row = sheet.max_row
        _set_text(sheet.cell(row, 2), problem.column)
        _set_text(sheet.cell(row, 3), problem.header)
        _set_text(sheet.cell(row, 4), problem.reason)
    for letter, width in (("A", 8), ("B", 8), ("C", 24), ("D", 100)):
        sheet.column_dimensions[letter].width = width


def _set_text(cell: Cell, text: str) -> None:
    """Store ``text`` as text: a reason quoting a cell that began with ``=`` must not become a formula."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _unique_title(existing: Sequence[str]) -> str:
    title, number = PROBLEMS_SHEET, 1
    lowered = {name.lower() for name in existing}
    while title.lower() in lowered:
        number += 1
        title = f"{PROBLEMS_SHEET} {number}"
    return title
