"""The result of a bulk order or club shipment as an .xlsx file: one row per customer.

Columns: customer number, name, email, customer status, result (placed, failed, skipped, pending),
order number, order total, reason. A second sheet, "Batch", says what the batch was. Text is always
stored as text, never as a formula, whatever a customer's name or a reason holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from oms_core.domain.batches import MemberRow
from oms_core.domain.money import from_cents
from oms_core.domain.text import strip_control
from oms_core.services.batch_jobs import BatchView
from oms_core.spreadsheets.saving import write_workbook

HEADERS = ("Customer", "Name", "Email", "Customer status", "Result", "Order", "Total", "Reason")
WIDTHS = (11, 28, 30, 15, 10, 10, 12, 60)
_BOLD = Font(bold=True)


PAGE = 1_000


class BatchSource(Protocol):
    """What the report reads: ``BulkOrderService`` and ``ClubService`` both fit."""

    def get(self, batch_id: int, /) -> BatchView:
        """The batch."""
        ...

    def members(
        self, batch_id: int, status: str | None = None, limit: int = 100, after_customer: int | None = None
    ) -> list[MemberRow]:
        """A page of members, after the member ``after_customer``."""
        ...


def export_batch(source: BatchSource, batch_id: int, path: Path) -> int:
    """Write the result report of one batch, reading its members a page at a time.

    Returns:
        How many member rows were written.
    """
    view = source.get(batch_id)
    counts = view.counts
    items = ", ".join(f"{sku} x {quantity}" for sku, quantity in view.lines)
    details = [
        ("Kind", "club shipment" if view.kind == "club" else "bulk order"),
        ("Batch id", str(view.id)),
        ("Items", items),
        ("Shipping", view.shipping_method),
        ("Status", view.status),
        ("Placed", str(counts.placed)),
        ("Failed", str(counts.failed)),
        ("Skipped", str(counts.skipped)),
        ("Pending", str(counts.pending)),
    ]
    if view.club_type_code:
        details.insert(1, ("Club", view.club_type_code))
    if view.ship_date:
        details.insert(2, ("Ship date", view.ship_date.isoformat()))
    return write_batch_report(path, view.name, details, _pages(source, batch_id))


def _pages(source: BatchSource, batch_id: int) -> Iterator[MemberRow]:
    after: int | None = None
    while True:
        page = source.members(batch_id, None, PAGE, after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].customer_id


def default_report_name(kind: str, batch_id: int) -> str:
    """``bulk-12-results.xlsx`` / ``club-3-results.xlsx``."""
    return f"{kind}-{batch_id}-results.xlsx"


def write_batch_report(
    path: Path,
    title: str,
    details: Iterable[tuple[str, str]],
    rows: Iterable[MemberRow],
) -> int:
    """Write the report (streamed: ten thousand members need little memory).

    Args:
        path: the .xlsx file to write (in a folder that exists; see :mod:`oms_core.output_files`).
        title: the batch's name, for the "Batch" sheet.
        details: (label, value) pairs describing the batch (kind, items, shipping, counts...).
        rows: the members, in the order to list them.

    Returns:
        How many member rows were written.
    """
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet("Results")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, header, bold=True) for header in HEADERS])
    count = 0
    for row in rows:
        total = from_cents(row.order_total_cents) if row.order_total_cents is not None else None
        sheet.append(
            [
                _cell(sheet, row.customer_number),
                _cell(sheet, row.customer_name),
                _cell(sheet, row.email),
                _cell(sheet, row.customer_status.replace("_", " ")),
                _cell(sheet, row.status.value),
                row.order_number,
                _money(sheet, total),
                _cell(sheet, row.reason),
            ]
        )
        count += 1
    about = workbook.create_sheet("Batch")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 60
    about.append([_cell(about, "Batch", bold=True), _cell(about, title)])
    for label, value in details:
        about.append([_cell(about, label, bold=True), _cell(about, value)])
    write_workbook(workbook, path)
    return count


def _cell(sheet: WriteOnlyWorksheet, text: str, bold: bool = False) -> WriteOnlyCell:
    """``text`` stored as a string: a value starting with ``=`` stays text, not a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", strip_control(text or "")))
    cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    return cell


def _money(sheet: WriteOnlyWorksheet, amount: Decimal | None) -> WriteOnlyCell | None:
    if amount is None:
        return None
    cell = WriteOnlyCell(sheet, value=amount)
    cell.number_format = "#,##0.00"
    return cell
