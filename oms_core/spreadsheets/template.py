"""The order-import template a client fills in: ``oms import template FILE.xlsx``.

Sheet "Orders": the header row, one example row (skipped on import if left in), a drop-down of the
office's shipping methods in the Ship Method column, whole-number checks on the quantities, and the
ZIP and Phone columns formatted as text so Excel keeps leading zeros. Sheet "Instructions": what
every column means.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from oms_core.domain.imports import FIELDS, REQUIRED_FIELDS
from oms_core.domain.orders import GIFT_MESSAGE_MAX, MAX_LINE_QUANTITY
from oms_core.spreadsheets.columns import EXAMPLE_ITEMS, EXAMPLE_ROW, PAIR_COUNT_IN_TEMPLATE, template_headers
from oms_core.spreadsheets.saving import write_workbook

ORDERS_SHEET = "Orders"
INSTRUCTIONS_SHEET = "Instructions"
VALIDATED_ROWS = 20_001
"""Data validation reaches this row (the default row limit plus the header)."""

EXPLANATIONS: dict[str, str] = {
    "first_name": "The recipient's first name.",
    "last_name": "The recipient's last name.",
    "company": "The recipient's company, if the gift goes to an office.",
    "address1": "Street address.",
    "address2": "Apartment, suite, floor (optional).",
    "city": "City.",
    "state": "Two-letter state code (CA, NY, OR...) for US addresses.",
    "zip": "ZIP code: 12345 or 12345-6789. Leading zeros are kept even if Excel drops them.",
    "country": "Two-letter country code; leave empty for the US.",
    "phone": "The recipient's phone, for the carrier (optional).",
    "email": "The recipient's email, kept in the order notes (optional).",
    "ship_method": "One of the shipping methods listed below (the drop-down); empty for the office default.",
    "ship_date": "When to ship, if not at once: a date, or text like 2026-12-15 or 12/15/2026.",
    "gift_message": f"Printed on the gift card; up to {GIFT_MESSAGE_MAX} characters.",
}


def write_template(
    path: Path,
    shipping_methods: Sequence[tuple[str, str]],
    pairs: int = PAIR_COUNT_IN_TEMPLATE,
    max_rows: int = VALIDATED_ROWS - 1,
) -> Path:
    """Write the import template.

    Args:
        path: where to write it (``.xlsx``); an existing file is replaced.
        shipping_methods: (code, name) of the active shipping methods, for the drop-down.
        pairs: how many SKU / Qty pairs to start with (the client may add more).
        max_rows: the office's row limit, stated in the instructions.

    Returns:
        ``path``.
    """
    workbook = Workbook()
    orders = workbook.active
    orders.title = ORDERS_SHEET
    headers = template_headers(pairs)
    orders.append(headers)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in orders[1]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    orders.freeze_panes = "A2"
    codes = [code for code, _ in shipping_methods]
    example = dict(EXAMPLE_ROW, ship_method=codes[0] if codes else "")
    row = [example[name] for name, _ in FIELDS]
    for pair in range(pairs):
        sku, qty = EXAMPLE_ITEMS[pair] if pair < len(EXAMPLE_ITEMS) else ("", "")
        row += [sku, qty]
    orders.append(row)
    italic = Font(italic=True, color="808080")
    for cell in orders[2]:
        cell.font = italic
    orders["A2"].comment = Comment("Example row: replace it, or leave it; it is skipped on import.", "oms")

    letters = {name: get_column_letter(index) for index, (name, _) in enumerate(FIELDS, start=1)}
    for name in ("zip", "phone"):
        orders.column_dimensions[letters[name]].number_format = "@"
    for index, header in enumerate(headers, start=1):
        orders.column_dimensions[get_column_letter(index)].width = max(10, min(len(header) + 4, 28))

    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    methods_range = _write_instructions(instructions, shipping_methods, pairs, max_rows, bold)
    if methods_range:
        ship = DataValidation(
            type="list",
            formula1=methods_range,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
        )
        ship.error = "Choose one of the shipping methods on the Instructions sheet."
        ship.errorTitle = "Ship Method"
        ship.prompt = "Pick a shipping method, or leave empty for the office default."
        ship.add(f"{letters['ship_method']}2:{letters['ship_method']}{VALIDATED_ROWS}")
        orders.add_data_validation(ship)
    quantity = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2=str(MAX_LINE_QUANTITY),
        allow_blank=True,
        showErrorMessage=True,
    )
    quantity.error = f"A quantity is a whole number from 1 to {MAX_LINE_QUANTITY:,}."
    quantity.errorTitle = "Quantity"
    first_pair = len(FIELDS) + 1
    for pair in range(pairs):
        letter = get_column_letter(first_pair + 2 * pair + 1)
        quantity.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    orders.add_data_validation(quantity)
    write_workbook(workbook, path)
    return path


def _write_instructions(
    ws: Worksheet, shipping_methods: Sequence[tuple[str, str]], pairs: int, max_rows: int, bold: Font
) -> str:
    """Fill the Instructions sheet; return the range of the shipping-method codes (for the drop-down)."""
    ws.append(["How to fill in the Orders sheet"])
    ws["A1"].font = bold
    ws.append([])
    for line in (
        "One row per recipient: each row becomes one order, paid by the purchaser, shipped to the recipient.",
        "Columns marked * are required. Headers may be renamed or reordered; unknown columns are ignored.",
        f"Items come in pairs: SKU 1 / Qty 1, SKU 2 / Qty 2 ... add more pairs (SKU {pairs + 1} / "
        f"Qty {pairs + 1}...) as needed.",
        "The example row (Jane Example) is skipped if you leave it in.",
        f"At most {max_rows:,} rows per file. Save as Excel Workbook (.xlsx), without a password.",
        "Formulas are fine as long as the file was saved by Excel (with their results).",
    ):
        ws.append([line])
    ws.append([])
    ws.append(["Column", "Required", "What to write"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for name, header in FIELDS:
        ws.append([header, "yes" if name in REQUIRED_FIELDS else "", EXPLANATIONS[name]])
    ws.append(["SKU n", "at least one", "A product SKU from our catalogue (any case)."])
    ws.append(
        ["Qty n", "with its SKU", f"How many of that SKU: a whole number from 1 to {MAX_LINE_QUANTITY:,}."]
    )
    ws.append([])
    ws.append(["Shipping methods", "", ""])
    ws.cell(ws.max_row, 1).font = bold
    first = ws.max_row + 1
    for code, name in shipping_methods:
        ws.append([code, "", name])
    last = ws.max_row
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 90
    if not shipping_methods:
        return ""
    return f"'{INSTRUCTIONS_SHEET}'!$A${first}:$A${last}"
