"""Reading a warehouse's shipping confirmations (CSV or xlsx) into plain rows, every problem named.

The order import's reader does the work that is the same for any file from outside: the safety
checks and the one-pass sheet stream for a workbook (:func:`~.reader.read_sheet`), the checks of
formulas, error cells and overlong cells (:func:`~.reader.checked_cells`), cell text, dates and
quantities. This module adds the shipping columns (:func:`~.columns.match_ship_header`: any case,
spacing and punctuation) and CSV files, which warehouse systems write more often than workbooks.

A CSV file is refused whole when it is too big (the safety limits' file size), holds NUL bytes (a
binary file renamed) or cannot be split into fields; a cell a spreadsheet would run as a formula
(``=...``) is a problem of its row. The quantity is a number or ``all``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from oms_core.domain.errors import ValidationError
from oms_core.domain.imports import ColumnRef, ImportProblem
from oms_core.domain.ship_files import REQUIRED_SHIP_FIELDS, SHIP_FIELDS, SHIP_HEADERS, ShipFile, ShipRow
from oms_core.spreadsheets.columns import match_ship_header
from oms_core.spreadsheets.reader import (
    CellMarks,
    ReaderLimits,
    cell_quantity,
    cell_text,
    checked_cells,
    column_letter,
    parse_date,
    read_sheet,
)
from oms_core.spreadsheets.safety import OLE_SIGNATURE, ZIP_SIGNATURES, UnsafeFile, read_file_bytes

ALL_WORDS = frozenset({"all", "*", "rest", "remaining"})
"""Quantity cells meaning "whatever is left of the SKU on the order"."""

CSV_FORMULA = "the cell holds a formula (it starts with =); write the value itself"
_DELIMITERS = ",;\t|"
_FORMULA_START = ("=", "+=", "-=", "@")


def read_ship_file(path: Path, limits: ReaderLimits | None = None) -> ShipFile:
    """Read a shipping-confirmation file. Never raises for a bad file: problems say what is wrong.

    A workbook (by its bytes, whatever the name says) is read as the order import reads one; any
    other file is read as CSV (comma, semicolon, tab or bar separated; UTF-8 or Windows-1252).
    """
    limits = limits or ReaderLimits()
    try:
        data = read_file_bytes(path, limits.safety)
    except UnsafeFile as exc:
        return ShipFile(path.name, "", problems=(ImportProblem(None, "", "", str(exc)),))
    return read_ship_bytes(data, path.name, limits)


def read_ship_bytes(data: bytes, filename: str, limits: ReaderLimits | None = None) -> ShipFile:
    """Read a shipping-confirmation file from its bytes (see :func:`read_ship_file`)."""
    limits = limits or ReaderLimits()
    digest = hashlib.sha256(data).hexdigest()

    def refuse(reason: str) -> ShipFile:
        return ShipFile(filename, digest, problems=(ImportProblem(None, "", "", reason),))

    if data.startswith(ZIP_SIGNATURES) or data.startswith(OLE_SIGNATURE):
        return read_sheet(
            data,
            filename,
            limits,
            lambda sheet, rows: _ShipReader(filename, digest, sheet, limits).read(
                rows, CellMarks(rows.uncalculated, rows.errors, limits.max_cell_chars)
            ),
            refuse,
            prefer="shipments",
        )
    try:
        rows, formulas = _csv_rows(data, filename, limits)
    except UnsafeFile as exc:
        return refuse(str(exc))
    marks = CellMarks(formulas, {}, limits.max_cell_chars, CSV_FORMULA)
    return _ShipReader(filename, digest, "", limits).read(rows, marks)


def _csv_rows(
    data: bytes, filename: str, limits: ReaderLimits
) -> tuple[list[tuple[int, list[object]]], set[tuple[int, int]]]:
    """The CSV file's rows numbered from 1, and the cells that would run as formulas.

    Raises:
        UnsafeFile: too big, binary, or not splittable into fields.
    """
    if len(data) > limits.safety.max_file_bytes:
        most = limits.safety.max_file_bytes / 1e6
        raise UnsafeFile(f"{filename} is {len(data) / 1e6:,.1f} MB; the limit is {most:,.0f} MB")
    if not data.strip():
        raise UnsafeFile(f"{filename} is empty")
    if b"\x00" in data:
        raise UnsafeFile(f"{filename} is not a text (CSV) file or an Excel workbook (.xlsx)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    delimiter = _delimiter(text, limits.header_scan_rows)
    rows: list[tuple[int, list[object]]] = []
    formulas: set[tuple[int, int]] = set()
    # More rows than the limit allows (plus the header scan) never need to be read.
    most = limits.max_rows + limits.header_scan_rows + 1
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        for number, cells in enumerate(reader, start=1):
            values: list[object] = []
            for index, cell in enumerate(cells):
                stripped = cell.strip()
                if stripped.startswith(_FORMULA_START) and len(stripped) > 1:
                    formulas.add((number, index))
                values.append(stripped or None)
            rows.append((number, values))
            if number > most:
                break
    except csv.Error as exc:
        raise UnsafeFile(f"{filename} could not be read as CSV ({exc})") from None
    return rows, formulas


def _delimiter(text: str, scan_rows: int) -> str:
    """The separator under which the first rows hold the most shipping headers (a comma on a tie).

    Chosen by the headers rather than by :class:`csv.Sniffer`, which a title line above the
    header or a column of free text easily misleads.
    """
    top = "\n".join(text.splitlines()[:scan_rows])
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(top), delimiter=delimiter))
        except csv.Error:
            continue
        count = max((sum(1 for cell in row if match_ship_header(cell)) for row in rows), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


class _ShipReader:
    """One pass over the rows: the header, then data rows into :class:`ShipRow`."""

    def __init__(self, filename: str, digest: str, sheet: str, limits: ReaderLimits) -> None:
        self.filename, self.digest, self.sheet, self.limits = filename, digest, sheet, limits
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.fields: dict[str, int] = {}
        self.headers: list[str] = []
        self.flagged: set[tuple[int, int]] = set()  # (row, column) already named in a problem

    def read(self, rows: Iterable[tuple[int, Sequence[object]]], marks: CellMarks) -> ShipFile:
        """Find the header in the first rows, then read every data row below it."""
        source: Iterator[tuple[int, Sequence[object]]] = iter(rows)
        header_row = 0
        for number, values in source:
            if number > self.limits.header_scan_rows:
                break
            if sum(1 for v in values if isinstance(v, str) and match_ship_header(v)) >= 3:
                header_row = number
                self._layout(values)
                break
        if not header_row:
            return self._finish(
                0,
                [],
                ImportProblem(
                    None,
                    "",
                    "",
                    f"no header row in the first {self.limits.header_scan_rows} rows: expected headers "
                    "such as " + ", ".join(SHIP_HEADERS.values()),
                ),
            )
        missing = [
            ImportProblem(None, "", header, f"the file has no {header!r} column")
            for name, header in SHIP_FIELDS
            if name in REQUIRED_SHIP_FIELDS and name not in self.fields
        ]
        if missing:
            return self._finish(header_row, [], *missing)
        out: list[ShipRow] = []
        used = tuple(sorted(self.fields.values()))
        width = max(used) + 1
        for number, values in source:
            if len(values) < width:
                values = (*values, *((None,) * (width - len(values))))
            if all(not cell_text(values[i]) for i in used):
                continue  # an empty row
            if len(out) >= self.limits.max_rows:
                return self._finish(
                    header_row,
                    [],
                    ImportProblem(
                        None,
                        "",
                        "",
                        f"the file has more than {self.limits.max_rows:,} rows (the limit); "
                        "split it into smaller files",
                    ),
                )
            values = checked_cells(
                number, values, used, marks, lambda index, reason, n=number: self._problem(n, index, reason)
            )
            out.append(self._row(number, values))
        return self._finish(header_row, out)

    def _layout(self, header: Sequence[object]) -> None:
        self.headers = [cell_text(v) for v in header]
        for index, text in enumerate(self.headers):
            if not text:
                continue
            name = match_ship_header(text)
            letter = column_letter(index)
            if name is None:
                self._warn(letter, text, "not a shipping column; it was ignored")
            elif name in self.fields:
                first = column_letter(self.fields[name])
                self._warn(letter, text, f"repeats column {first}; it was ignored")
            else:
                self.fields[name] = index

    def _row(self, number: int, values: Sequence[object]) -> ShipRow:
        def cell(name: str) -> object:
            index = self.fields.get(name)
            return None if index is None else values[index]

        def text(name: str) -> str:
            return cell_text(cell(name))

        order_number = self._order_number(number, cell("order_number"))
        sku = text("sku")
        if not sku:
            self._field_problem(number, "sku", "no SKU")
        quantity: int | None = None
        raw = cell("quantity")
        if raw is None or not cell_text(raw):
            self._field_problem(number, "quantity", f"no quantity for {sku or 'the SKU'} (a number, or all)")
        elif cell_text(raw).lower() not in ALL_WORDS:
            try:
                quantity = cell_quantity(raw)
            except ValidationError as exc:
                self._field_problem(number, "quantity", f"{exc} (write a number, or all)")
        carrier, tracking = text("carrier"), text("tracking_number")
        if not carrier:
            self._field_problem(number, "carrier", "no carrier (UPS, FedEx, USPS...)")
        if not tracking:
            self._field_problem(
                number, "tracking_number", "no tracking number (the import tells shipments apart by it)"
            )
        ship_date: date | None = None
        try:
            ship_date = parse_date(cell("ship_date"))
            if ship_date is None:
                self._field_problem(number, "ship_date", "no ship date")
        except ValueError:
            self._field_problem(
                number, "ship_date", f"{text('ship_date')!r} is not a date (write 2026-12-15 or 12/15/2026)"
            )
        return ShipRow(number, order_number, sku, quantity, carrier, text("service"), tracking, ship_date)

    def _order_number(self, number: int, value: object) -> int | None:
        if type(value) is int or (type(value) is float and float(value).is_integer()):  # type: ignore[arg-type]
            return int(value)  # type: ignore[arg-type]
        written = cell_text(value)
        digits = written.lstrip("#").strip()
        if digits.isdigit() and len(digits) <= 12:
            return int(digits)
        self._field_problem(
            number, "order_number", f"{written!r} is not an order number" if written else "no order number"
        )
        return None

    def _field_problem(self, row: int, name: str, reason: str) -> None:
        index = self.fields.get(name, -1)
        if (row, index) not in self.flagged:  # one problem per cell: a formula is not also "no quantity"
            self._problem(row, index, reason)

    def _problem(self, row: int, index: int, reason: str) -> None:
        if index < 0:
            self.problems.append(ImportProblem(row, "", "", reason))
            return
        header = self.headers[index] if index < len(self.headers) else ""
        self.flagged.add((row, index))
        self.problems.append(ImportProblem(row, column_letter(index), header, reason))

    def _warn(self, letter: str, header: str, reason: str) -> None:
        self.warnings.append(ImportProblem(None, letter, header, reason))

    def _finish(self, header_row: int, rows: list[ShipRow], *extra: ImportProblem) -> ShipFile:
        columns = {
            name: ColumnRef(column_letter(index), self.headers[index]) for name, index in self.fields.items()
        }
        return ShipFile(
            self.filename,
            self.digest,
            self.sheet,
            header_row,
            columns,
            tuple(rows),
            (*extra, *self.problems),
            tuple(self.warnings),
        )
