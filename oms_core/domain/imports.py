"""Order files: the rows a spreadsheet reader hands to the import service, and their problems.

The reader (``oms_core.spreadsheets.reader``) turns cells into these plain values; the import
service (``oms_core.services.imports``) checks them against the catalogue and places the orders.
Neither side needs the other's libraries. Standard library only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "Recipient First Name"),
    ("last_name", "Recipient Last Name"),
    ("company", "Company"),
    ("address1", "Address 1"),
    ("address2", "Address 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("country", "Country"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("ship_method", "Ship Method"),
    ("ship_date", "Ship Date"),
    ("gift_message", "Gift Message"),
)
"""Every recipient column as (field name, the template's header), in the template's order."""

REQUIRED_FIELDS: frozenset[str] = frozenset({"first_name", "last_name", "address1", "city", "state", "zip"})
"""Columns marked ``*`` in the template: a row without them cannot ship."""

FIELD_HEADERS: dict[str, str] = dict(FIELDS)


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One SKU / Qty pair of a row.

    Attributes:
        sku: the SKU as written (trimmed).
        quantity: the quantity, or ``None`` when its cell could not be read (a problem says why).
        pair: which pair it came from (``SKU 2`` / ``Qty 2`` is pair 2).
        sku_column: the column letter of the SKU cell.
        qty_column: the column letter of the quantity cell (empty when the file has no Qty column).
    """

    sku: str
    quantity: int | None
    pair: int
    sku_column: str
    qty_column: str = ""


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One recipient: one order to place. Text is trimmed and free of control characters.

    Attributes:
        row: the row number in the spreadsheet (1-based, as Excel shows it).
        ship_date: ``None`` when the cell was empty or could not be read.
        items: the row's SKU / Qty pairs that have something in them, left to right.
    """

    row: int
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    ship_method: str = ""
    ship_date: date | None = None
    gift_message: str = ""
    items: tuple[ImportItem, ...] = ()

    @property
    def name(self) -> str:
        """``First Last``."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something wrong with a file, a row or a cell.

    Attributes:
        row: the spreadsheet row, or ``None`` for the whole file.
        column: the column letter (``H``), or empty for the whole row or file.
        header: the column's header as the file spells it, or empty.
        reason: what is wrong, fit to show the operator and the client as it is.
    """

    row: int | None
    column: str
    header: str
    reason: str

    def where(self) -> str:
        """``row 5, column H (ZIP)``, ``row 5`` or ``file``."""
        if self.row is None and not self.column:
            return "file"
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.reason}"

    def position(self) -> ProblemPosition:
        """Where this problem sorts among the file's problems (:func:`ordered_problems`)."""
        return ProblemPosition(
            self.row is not None, self.row or 0, len(self.column), self.column, self.header, self.reason
        )


@dataclass(frozen=True, slots=True, order=True)
class ProblemPosition:
    """A problem's place in a file's list: the whole file's problems first, then by row, then by
    column (``B`` before ``AA``, as the sheet reads left to right), then by text.

    Every field of the problem is part of it, so two problems at one position are the same problem;
    that makes it a keyset: the page after a position is found by searching for it, never by
    counting rows already shown, so a list of 10,000 problems is read a page at a time.
    """

    in_row: bool
    row: int
    column_width: int
    column: str
    header: str
    reason: str


def ordered_problems(problems: Iterable[ImportProblem]) -> tuple[ImportProblem, ...]:
    """``problems`` in :class:`ProblemPosition` order, each once (the same problem twice says
    nothing more, and would make two rows with one position).
    """
    return tuple(sorted(set(problems), key=ImportProblem.position))


def problems_after(
    problems: Sequence[ImportProblem], after: ProblemPosition | None, limit: int
) -> list[ImportProblem]:
    """The page of at most ``limit`` problems that follows the position ``after`` (``None``: the first
    page); ``problems`` must be :func:`ordered_problems`. Keyset paging: a binary search for
    ``after``, so each page costs the same however deep in the list it is.
    """
    start = 0 if after is None else bisect_right(problems, after, key=ImportProblem.position)
    return list(problems[start : start + max(limit, 0)])


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """Where a field was found: its column letter and the header as the file spells it."""

    letter: str
    header: str


@dataclass(frozen=True, slots=True)
class OrderFile:
    """A spreadsheet of orders as read: rows, where each field was, and what was wrong.

    Attributes:
        filename: the file's name (no folder), for messages and the import record.
        content_hash: sha256 of the file's bytes, hex; the same file twice has the same hash.
        sheet: the sheet that was read.
        header_row: the row number of the header.
        columns: field name to where it was found (``sku 2`` / ``qty 2`` for the pairs).
        rows: the non-empty data rows, top to bottom.
        problems: what stops the import (a bad cell, a missing column, a hostile file...).
        warnings: what the operator should know but does not stop it (an ignored column...).
    """

    filename: str
    content_hash: str
    sheet: str = ""
    header_row: int = 0
    columns: dict[str, ColumnRef] = field(default_factory=dict, hash=False, compare=False)
    rows: tuple[ImportRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()

    def column(self, field_name: str) -> ColumnRef:
        """Where ``field_name`` was found, or an empty reference when the file has no such column."""
        return self.columns.get(field_name) or ColumnRef("", FIELD_HEADERS.get(field_name, ""))

    @property
    def refused(self) -> bool:
        """True when the file was refused as a whole (not an xlsx, encrypted, too many rows...)."""
        return not self.rows and any(p.row is None for p in self.problems)


@dataclass(frozen=True, slots=True)
class ImportFileRecord:
    """A file that was imported, remembered by its content hash so a second import is caught."""

    content_hash: str
    filename: str
    purchaser_id: int | None
    operator: str
    order_count: int
    imported_at: datetime
