"""Exports as ``.xlsx``, written row by row with openpyxl's write-only mode (constant memory).

Columns are the export's field names. Money is written as numbers with two decimal places (exact to the
cent, and a spreadsheet can sum them), every other text as text: a value such as ``=HYPERLINK(...)``
typed into a customer record is never turned into a formula.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from oms_core.domain.errors import OmsError
from oms_core.spreadsheets.saving import save_workbook

MONEY_FORMAT = "0.00"
MAX_DATA_ROWS = 1_048_575
"""Excel's sheet holds 1,048,576 rows, the header included."""
_WIDTHS = {"name": 32, "email": 30, "company": 26, "address1": 28, "gift_message": 40, "placed_at": 21}


def write_xlsx(
    path: Path,
    sheet_title: str,
    fields: Sequence[str],
    rows: Iterable[dict[str, Any]],
    money_fields: Collection[str] = (),
) -> int:
    """Write one sheet: a bold, frozen header of ``fields``, then one row per dict.

    Args:
        path: the workbook to create (replaced if it exists): the temporary file of an atomic write.
        sheet_title: the sheet's name.
        fields: column names, in order.
        rows: flat dicts keyed by ``fields``.
        money_fields: columns holding money as text (``"12.50"``); written as numbers.

    Returns:
        How many rows were written (the header not counted).

    Raises:
        OmsError: more rows than a sheet can hold (the file is not saved).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(fields, start=1):
        width = next((w for key, w in _WIDTHS.items() if name.endswith(key)), 14)
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for name in fields:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    money = [name in money_fields for name in fields]
    count = 0
    try:
        for row in rows:
            if count == MAX_DATA_ROWS:
                raise OmsError(
                    f"more than {MAX_DATA_ROWS:,} rows do not fit in one spreadsheet: "
                    "export as csv or json instead"
                )
            sheet.append(
                [_cell(sheet, row[name], is_money) for name, is_money in zip(fields, money, strict=True)]
            )
            count += 1
    except BaseException:
        # Close openpyxl's half-written temporary sheet (it removes it at exit) before giving up.
        with contextlib.suppress(Exception):
            sheet.close()
        raise
    save_workbook(workbook, path)
    return count


def _cell(sheet: Any, value: Any, is_money: bool) -> Any:
    if is_money and isinstance(value, str) and value:
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters other than tab and newline are not allowed in the file format.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text stays text, even when it starts with "="
        return cell
    return value
