"""A warehouse's shipping confirmations as read from its file: plain rows, before any order is looked at.

Each row says that some units of one SKU of one order left in a package: the order number, the SKU,
the quantity (or ``all`` that is left of the SKU), the carrier, the service (optional), the tracking
number and the ship date. Rows with the same order and tracking number are one shipment. Reading the
file is :mod:`oms_core.spreadsheets.ship_reader`'s job; checking the rows against the orders is
:mod:`oms_core.services.ship_import`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from oms_core.domain.imports import ColumnRef, ImportProblem

SHIP_FIELDS: tuple[tuple[str, str], ...] = (
    ("order_number", "Order Number"),
    ("sku", "SKU"),
    ("quantity", "Quantity"),
    ("carrier", "Carrier"),
    ("service", "Service"),
    ("tracking_number", "Tracking Number"),
    ("ship_date", "Ship Date"),
)
"""The columns of a shipping confirmation (field, header as the office documents it), in order."""

SHIP_HEADERS = dict(SHIP_FIELDS)
REQUIRED_SHIP_FIELDS = frozenset(
    {"order_number", "sku", "quantity", "carrier", "tracking_number", "ship_date"}
)


@dataclass(frozen=True, slots=True)
class ShipRow:
    """One row of a shipping confirmation, as read (``None`` where a cell could not be read).

    Attributes:
        row: the row number as the file shows it (1-based, header included).
        quantity: units shipped; ``None`` for ``all`` (whatever is left of the SKU) and for an
            unreadable cell (which is also a problem of the file).
    """

    row: int
    order_number: int | None
    sku: str
    quantity: int | None
    carrier: str
    service: str
    tracking_number: str
    ship_date: date | None


@dataclass(frozen=True, slots=True)
class ShipFile:
    """A shipping-confirmation file as read: rows, where each field was, and what was wrong.

    Attributes:
        filename: the file's name (no folder), for messages.
        content_hash: sha256 of the file's bytes, hex.
        sheet: the sheet read (``""`` for a CSV file, or a file refused before any sheet was read).
        header_row: the header's row number.
        columns: field name -> where it was found.
        rows: the non-empty data rows, top to bottom.
        problems: what stops the import (whole-file problems have no row).
        warnings: what the operator should know (an ignored column...).
    """

    filename: str
    content_hash: str
    sheet: str = ""
    header_row: int = 0
    columns: dict[str, ColumnRef] = field(default_factory=dict, hash=False, compare=False)
    rows: tuple[ShipRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()

    def column(self, field_name: str) -> ColumnRef:
        """Where ``field_name`` was found, or an empty reference when the file has no such column."""
        return self.columns.get(field_name) or ColumnRef("", SHIP_HEADERS.get(field_name, ""))

    def problem(self, row: int | None, field_name: str, reason: str) -> ImportProblem:
        """A problem in ``row`` naming the column that holds ``field_name``."""
        ref = self.column(field_name)
        return ImportProblem(row, ref.letter, ref.header, reason)
