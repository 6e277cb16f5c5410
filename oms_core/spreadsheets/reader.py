"""Reading an order spreadsheet into plain rows, with every cell problem named by row and column.

Files come from people in Excel, so the reader is tolerant where it can be and precise where it
cannot: headers are matched whatever their case, spacing and punctuation (:mod:`.columns`); a title
row above the header is fine; unknown columns are ignored with a warning; numbers may be text; ZIP
codes that Excel turned into numbers get their zeros back; dates may be dates or text; empty rows
are skipped; the sheet is "Orders" or the first visible one. What cannot be read (a quantity of
``two``, a cell of 40,000 characters, a formula Excel never calculated) becomes a problem naming
the cell. Checks of the values against the catalogue and the address rules are the import
service's job.

The file is checked by :mod:`.safety` before it is opened, then its sheet is streamed, values only,
in one pass (:mod:`.sheet_stream`), so reading stops as soon as the row limit is passed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain
from pathlib import Path
from typing import TypeVar

from oms_core.domain.addresses import normalize_zip
from oms_core.domain.errors import ValidationError
from oms_core.domain.imports import (
    FIELD_HEADERS,
    REQUIRED_FIELDS,
    ColumnRef,
    ImportItem,
    ImportProblem,
    ImportRow,
    OrderFile,
)
from oms_core.domain.orders import check_quantity, parse_quantity
from oms_core.domain.text import clean_field, clean_multiline
from oms_core.spreadsheets.columns import is_example, match_header
from oms_core.spreadsheets.safety import SafetyLimits, UnsafeFile, check_workbook, read_workbook_bytes
from oms_core.spreadsheets.sheet_stream import SheetInfo, SheetRows, WorkbookStream

DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
)
"""Text dates understood in a Ship Date cell (US month-first where it is ambiguous)."""

_T = TypeVar("_T")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address1",
    "address2",
    "city",
    "phone",
    "email",
    "ship_method",
)
_US = frozenset(("", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "U.S.", "U.S.A."))


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    """What the reader accepts.

    Attributes:
        max_rows: more data rows than this and the file is refused (``Config.max_import_rows``).
        max_cell_chars: a longer cell is refused, with a message naming it.
        header_scan_rows: the header is looked for in this many rows from the top.
        safety: the limits checked before the file is opened.
    """

    max_rows: int = 20_000
    max_cell_chars: int = 1_000
    header_scan_rows: int = 10
    safety: SafetyLimits = field(default_factory=SafetyLimits)


def read_order_file(path: Path, limits: ReaderLimits | None = None) -> OrderFile:
    """Read an order spreadsheet. Never raises for a bad file: problems say what is wrong.

    Args:
        path: the ``.xlsx`` file.
        limits: row and size limits; the defaults when ``None``.

    Returns:
        The rows that could be read, and every problem and warning. A file that was refused
        outright (not an xlsx, encrypted, too big...) has one problem about the whole file and no rows.
    """
    limits = limits or ReaderLimits()
    try:
        data = read_workbook_bytes(path, limits.safety)
    except UnsafeFile as exc:
        return refused(path.name, "", str(exc))
    return read_order_bytes(data, path.name, limits)


def read_order_bytes(data: bytes, filename: str, limits: ReaderLimits | None = None) -> OrderFile:
    """Read an order spreadsheet from its bytes (see :func:`read_order_file`)."""
    limits = limits or ReaderLimits()
    digest = hashlib.sha256(data).hexdigest()
    return read_sheet(
        data,
        filename,
        limits,
        lambda sheet, rows: _SheetReader(
            filename, digest, sheet, rows.uncalculated, rows.errors, limits
        ).read(rows),
        lambda reason: refused(filename, digest, reason),
        prefer="orders",
    )


def read_sheet(
    data: bytes,
    filename: str,
    limits: ReaderLimits,
    read: Callable[[str, SheetRows], _T],
    refuse: Callable[[str], _T],
    prefer: str,
) -> _T:
    """Check a workbook's bytes (:mod:`.safety`), open it and hand its sheet's rows to ``read``.

    The sheet is the one named ``prefer`` (any case), else the first visible one. Every way the file
    can fail (unsafe, not a workbook, damaged mid-way) becomes ``refuse(one line)``, never an error.

    Args:
        data: the file's bytes.
        filename: the file's name, for messages.
        limits: the reader's limits (and the safety limits in them).
        read: ``read(sheet name, rows)`` reads the rows (formulas and errors are on ``rows``).
        refuse: makes the result for a file refused as a whole.
        prefer: the sheet's name to look for first.
    """
    try:
        check_workbook(data, filename, limits.safety)
    except UnsafeFile as exc:
        return refuse(str(exc))
    try:
        workbook = WorkbookStream(data)
    except Exception as exc:  # noqa: BLE001 - whatever a broken package trips on, the operator gets one line
        return refuse(f"{filename} could not be opened as a workbook ({type(exc).__name__})")
    with workbook:
        try:
            sheet = _choose_sheet(workbook.sheets, prefer)
            if sheet is None:
                return refuse(f"{filename} has no visible sheet to read")
            # every cell the file has, whatever used range it records
            return read(sheet.name, workbook.rows(sheet))
        except Exception as exc:  # noqa: BLE001 - a damaged part found mid-way is still one message
            return refuse(f"{filename} is damaged and could not be read ({type(exc).__name__})")


def refused(filename: str, content_hash: str, reason: str) -> OrderFile:
    """A file refused as a whole: one problem, no rows."""
    return OrderFile(filename, content_hash, problems=(ImportProblem(None, "", "", reason),))


def _choose_sheet(sheets: Sequence[SheetInfo], prefer: str) -> SheetInfo | None:
    for sheet in sheets:
        if sheet.name.strip().lower() == prefer:
            return sheet
    return next((s for s in sheets if s.state == "visible"), None)


def column_letter(index: int) -> str:
    """Column letter of a 0-based index: 0 -> ``A``, 27 -> ``AB``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_text(value: object) -> str:
    """A cell as one line of text: numbers without ``.0``, dates as ISO, control characters gone."""
    kind = type(value)
    if kind is str:
        if "_x" in value:  # type: ignore[operator]
            value = unescape_ooxml(value)  # type: ignore[arg-type]
        return value.strip() if value.isprintable() else clean_field(value)  # type: ignore[union-attr]
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)  # type: ignore[union-attr]
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return clean_field(str(value))


def unescape_ooxml(text: str) -> str:
    """Decode Excel's ``_x001B_`` escapes (how a control character is stored in the XML).

    The sheet stream (like openpyxl) leaves them as written; Excel shows the character. Decoding them lets
    :func:`~oms_core.domain.text.strip_control` remove what must not be stored or shown.
    """
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def parse_date(value: object) -> date | None:
    """A ship date from a date cell, an Excel day number or text in one of :data:`DATE_FORMATS`.

    Raises:
        ValueError: the value is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # a date Excel shows as a number: days since 1899-12-30
            return (_EXCEL_EPOCH + timedelta(days=int(value))).date()
        raise ValueError(value)
    text = cell_text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else _strptime(text)
    except ValueError:
        return _strptime(text)


def _strptime(text: str) -> date:
    cleaned = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_quantity(value: object) -> int:
    """A quantity from a number or text cell. Raises ``ValidationError`` with the reason."""
    kind = type(value)
    if kind is int:
        return check_quantity(value)  # type: ignore[arg-type]
    if kind is float:
        if not value.is_integer():  # type: ignore[union-attr]
            raise ValidationError("quantity must be a whole number")
        return check_quantity(int(value))  # type: ignore[arg-type]
    return parse_quantity(cell_text(value))


UNCALCULATED = "the cell holds a formula with no saved result; open the file in Excel and save it"


@dataclass(frozen=True, slots=True)
class CellMarks:
    """What the sheet stream found wrong with cells, and how long a cell may be.

    Attributes:
        formulas: (row number, 0-based column) of formulas: in a workbook, ones with no saved result;
            in a CSV file, text that a spreadsheet would run as a formula.
        errors: (row number, 0-based column) -> the error a cell shows (``#N/A``...).
        max_chars: a longer cell is a problem.
        formula_reason: what to tell the client about a formula cell.
    """

    formulas: set[tuple[int, int]]
    errors: dict[tuple[int, int], str]
    max_chars: int
    formula_reason: str = UNCALCULATED


def checked_cells(
    number: int,
    values: Sequence[object],
    used: Sequence[int],
    marks: CellMarks,
    problem: Callable[[int, str], None],
) -> Sequence[object]:
    """Report the used cells of row ``number`` that cannot be read, and blank them.

    A formula, a cell showing an error and a cell longer than the limit are each one
    ``problem(column index, reason)``; the values come back with the error and overlong cells as
    ``None``, so no later check reads them as data.
    """
    if marks.formulas:
        for index in used:
            if (number, index) in marks.formulas:
                problem(index, marks.formula_reason)
    if marks.errors:
        for index in used:
            error = marks.errors.get((number, index))
            if error is not None:
                problem(index, f"the cell shows the error {error}; correct it in Excel and save the file")
                values = (*values[:index], None, *values[index + 1 :])
    limit = marks.max_chars
    for index in used:
        value = values[index]
        if type(value) is str and len(value) > limit:
            problem(index, f"the cell has {len(value):,} characters; the limit is {limit:,}")
            values = (*values[:index], None, *values[index + 1 :])
    return values


@dataclass(slots=True)
class _Layout:
    """Which column holds which field, found from the header row."""

    fields: dict[str, int] = field(default_factory=dict)
    pairs: dict[int, list[int | None]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    width: int = 0
    used: tuple[int, ...] = ()
    text_fields: tuple[tuple[str, int], ...] = ()

    def settle(self) -> None:
        """Compute what every row needs: the row width, the columns read, the plain text fields."""
        pair_columns = [i for pair in self.pairs.values() for i in pair if i is not None]
        self.used = tuple(sorted({*self.fields.values(), *pair_columns}))
        self.width = max(self.used, default=-1) + 1
        self.text_fields = tuple((name, self.fields[name]) for name in _TEXT_FIELDS if name in self.fields)

    def ref(self, index: int) -> ColumnRef:
        return ColumnRef(column_letter(index), self.headers[index] if index < len(self.headers) else "")


class _SheetReader:
    """One pass over a sheet's rows: header, then data rows into :class:`ImportRow`."""

    def __init__(
        self,
        filename: str,
        digest: str,
        sheet: str,
        formulas: set[tuple[int, int]],
        errors: dict[tuple[int, int], str],
        limits: ReaderLimits,
    ) -> None:
        """Prepare to read one sheet.

        Args:
            filename: the file's name, for the result.
            digest: the file's content hash.
            sheet: the sheet's name.
            formulas: (row number, 0-based column) of the formulas without a saved result, filled in
                as the rows are read (:class:`~oms_core.spreadsheets.sheet_stream.SheetRows`).
            errors: (row number, 0-based column) -> the error a cell shows, filled in likewise.
            limits: the reader's limits.
        """
        self.filename = filename
        self.digest = digest
        self.sheet = sheet
        self.formulas = formulas
        self.errors = errors
        self.limits = limits
        self.problems: list[ImportProblem] = []
        self._named: set[tuple[int, str]] = set()
        self.warnings: list[ImportProblem] = []

    def read(self, rows: Iterable[tuple[int, Sequence[object]]]) -> OrderFile:
        """Find the header in the first rows, then read every data row below it.

        Args:
            rows: (row number as Excel shows it, values) in order; rows the file lacks may be left out.
        """
        scan = self.limits.header_scan_rows
        source = iter(rows)
        rest: Iterator[tuple[int, Sequence[object]]] = source
        top: list[tuple[int, Sequence[object]]] = []
        for number, values in source:
            if number > scan:
                rest = chain(((number, values),), source)
                break
            top.append((number, values))
        header_index = self._find_header([values for _, values in top])
        if header_index is None:
            return self._refuse(
                f"no header row in the first {scan} rows of sheet {self.sheet!r}: "
                "expected headers such as Recipient First Name, Address 1, City, State, ZIP, SKU 1, Qty 1"
            )
        header_row, header = top[header_index]
        layout = self._layout(header)
        missing = self._missing_columns(layout)
        if missing:
            return self._finish(layout, header_row, [], extra=missing)

        out: list[ImportRow] = []
        for number, values in chain(top[header_index + 1 :], rest):
            row = self._row(number, values, layout)
            if row is None:
                continue
            out.append(row)
            if len(out) > self.limits.max_rows:
                return self._refuse(
                    f"the file has more than {self.limits.max_rows:,} order rows (the limit); "
                    "split it into smaller files",
                    header_row=header_row,
                )
        return self._finish(layout, header_row, out)

    # -- header ---------------------------------------------------------------------------------

    def _find_header(self, top: list[Sequence[object]]) -> int | None:
        best, best_count = None, 2
        for index, values in enumerate(top):
            count = sum(1 for v in values if isinstance(v, str) and match_header(v) is not None)
            if count > best_count:
                best, best_count = index, count
        return best

    def _layout(self, header: Sequence[object]) -> _Layout:
        layout = _Layout(headers=[cell_text(v) for v in header])
        seen: dict[tuple[str, int], int] = {}
        for index, text in enumerate(layout.headers):
            if not text:
                continue
            meaning = match_header(text)
            ref = layout.ref(index)
            if meaning is None:
                self._warn(ref, f"column {ref.letter} ({text!r}) is not an order column; it was ignored")
                continue
            if meaning in seen:
                first = layout.ref(seen[meaning])
                self._warn(
                    ref, f"column {ref.letter} ({text!r}) repeats column {first.letter}; it was ignored"
                )
                continue
            seen[meaning] = index
            kind, pair = meaning
            if kind in ("sku", "qty"):
                layout.pairs.setdefault(pair, [None, None])[0 if kind == "sku" else 1] = index
            else:
                layout.fields[kind] = index
        if "full_name" in layout.fields and ("first_name" in layout.fields or "last_name" in layout.fields):
            ref = layout.ref(layout.fields.pop("full_name"))
            self._warn(
                ref, f"column {ref.letter} ({ref.header!r}) was ignored: the file has first and last names"
            )
        for pair, (sku, qty) in sorted(layout.pairs.items()):
            if sku is None and qty is not None:
                ref = layout.ref(qty)
                self._warn(
                    ref, f"column {ref.letter} ({ref.header!r}) has no SKU {pair} column; it was ignored"
                )
            elif qty is None and sku is not None:
                ref = layout.ref(sku)
                self._warn(ref, f"there is no Qty {pair} column: every SKU {pair} is ordered once")
        layout.pairs = {n: p for n, p in sorted(layout.pairs.items()) if p[0] is not None}
        layout.settle()
        return layout

    def _missing_columns(self, layout: _Layout) -> list[ImportProblem]:
        missing = []
        names = set(layout.fields)
        if "full_name" in names:
            names |= {"first_name", "last_name"}
        for name in sorted(REQUIRED_FIELDS - names, key=list(FIELD_HEADERS).index):
            missing.append(
                ImportProblem(
                    None, "", FIELD_HEADERS[name], f"the file has no {FIELD_HEADERS[name]!r} column"
                )
            )
        if not layout.pairs:
            missing.append(ImportProblem(None, "", "SKU 1", "the file has no SKU columns (SKU 1, Qty 1...)"))
        return missing

    # -- rows -----------------------------------------------------------------------------------

    def _row(self, number: int, values: Sequence[object], layout: _Layout) -> ImportRow | None:
        if len(values) < layout.width:
            values = (*values, *((None,) * (layout.width - len(values))))
        used = layout.used
        for index in used:
            value = values[index]
            if value is not None and (type(value) is not str or value.strip()):  # type: ignore[union-attr]
                break
        else:
            return None  # an empty row
        values = checked_cells(
            number,
            values,
            used,
            CellMarks(self.formulas, self.errors, self.limits.max_cell_chars),
            lambda index, reason: self._problem(number, layout.ref(index), reason),
        )
        fields = layout.fields

        def cell(name: str) -> object:
            index = fields.get(name)
            return None if index is None else values[index]

        texts = {name: cell_text(values[index]) for name, index in layout.text_fields}
        first, last = texts.get("first_name", ""), texts.get("last_name", "")
        if "full_name" in fields:
            first, _, last = cell_text(cell("full_name")).rpartition(" ")
            if not first:
                first, last = last, ""
        if is_example(first, last, texts.get("address1", "")):
            self._warn(ColumnRef("", ""), "the template's example row (Jane Example) was skipped", number)
            return None
        ship_date = None
        if "ship_date" in fields:
            try:
                ship_date = parse_date(cell("ship_date"))
            except ValueError:
                self._problem(
                    number,
                    layout.ref(fields["ship_date"]),
                    f"{cell_text(cell('ship_date'))!r} is not a date (write 2026-12-15 or 12/15/2026)",
                )
        message = cell("gift_message")
        if type(message) is str and "_x" in message:  # type: ignore[operator]
            message = unescape_ooxml(message)  # type: ignore[arg-type]
        if type(message) is str and message.isprintable():
            gift = message.strip()  # type: ignore[union-attr]
        else:
            gift = clean_multiline(message if isinstance(message, str) else cell_text(message))
        country = cell_text(cell("country")).upper()
        return ImportRow(
            row=number,
            first_name=first,
            last_name=last,
            company=texts.get("company", ""),
            address1=texts.get("address1", ""),
            address2=texts.get("address2", ""),
            city=texts.get("city", ""),
            state=cell_text(cell("state")).upper(),
            zip=_zip_text(cell("zip")),
            country="US" if country in _US else country,
            phone=texts.get("phone", ""),
            email=texts.get("email", ""),
            ship_method=texts.get("ship_method", ""),
            ship_date=ship_date,
            gift_message=gift,
            items=self._items(number, values, layout),
        )

    def _items(self, number: int, values: Sequence[object], layout: _Layout) -> tuple[ImportItem, ...]:
        items = []
        for pair, (sku_index, qty_index) in layout.pairs.items():
            assert sku_index is not None
            sku = cell_text(values[sku_index])
            raw_qty = values[qty_index] if qty_index is not None else None
            qty_blank = raw_qty is None or (type(raw_qty) is str and not raw_qty.strip())
            sku_letter = column_letter(sku_index)
            qty_letter = column_letter(qty_index) if qty_index is not None else ""
            if not sku:
                if not qty_blank and qty_index is not None:
                    self._problem(number, layout.ref(qty_index), f"a quantity without a SKU in SKU {pair}")
                continue
            quantity: int | None
            if qty_index is None:
                quantity = 1
            elif qty_blank:
                quantity = None
                self._problem(number, layout.ref(qty_index), f"no quantity for SKU {sku!r}")
            else:
                try:
                    quantity = cell_quantity(raw_qty)
                except ValidationError as exc:
                    quantity = None
                    reason = str(exc)
                    if reason.startswith("quantity") or reason.startswith("'"):
                        reason = f"{reason} (SKU {sku!r})"
                    self._problem(number, layout.ref(qty_index), reason)
            items.append(ImportItem(sku, quantity, pair, sku_letter, qty_letter))
        return tuple(items)

    # -- results --------------------------------------------------------------------------------

    def _problem(self, row: int, ref: ColumnRef, reason: str) -> None:
        # One line per cell: a cell that cannot be read (a formula without a result, an error) is
        # named once, not again by the field check that then finds no value in it.
        cell = (row, ref.letter)
        if ref.letter and cell in self._named:
            return
        self._named.add(cell)
        self.problems.append(ImportProblem(row, ref.letter, ref.header, reason))

    def _warn(self, ref: ColumnRef, reason: str, row: int | None = None) -> None:
        self.warnings.append(ImportProblem(row, ref.letter, ref.header, reason))

    def _refuse(self, reason: str, header_row: int = 0) -> OrderFile:
        return OrderFile(
            self.filename,
            self.digest,
            self.sheet,
            header_row,
            problems=(ImportProblem(None, "", "", reason),),
            warnings=tuple(self.warnings),
        )

    def _finish(
        self, layout: _Layout, header_row: int, rows: list[ImportRow], extra: Sequence[ImportProblem] = ()
    ) -> OrderFile:
        columns = {name: layout.ref(index) for name, index in layout.fields.items()}
        for pair, (sku, qty) in layout.pairs.items():
            if sku is not None:
                columns[f"sku {pair}"] = layout.ref(sku)
            if qty is not None:
                columns[f"qty {pair}"] = layout.ref(qty)
        return OrderFile(
            self.filename,
            self.digest,
            self.sheet,
            header_row,
            columns,
            tuple(rows),
            tuple(extra) + tuple(self.problems),
            tuple(self.warnings),
        )


def _zip_text(value: object) -> str:
    """A ZIP from a text or number cell: ``2134`` -> ``02134``, ``21341234`` -> ``02134-1234``."""
    kind = type(value)
    if kind is int or (kind is float and value.is_integer()):  # type: ignore[union-attr]
        return normalize_zip(str(int(value)))  # type: ignore[arg-type]
    return normalize_zip(cell_text(value))
