"""One worksheet's cell values streamed out of an ``.xlsx``, without openpyxl's cell objects.

The order reader needs values only, in one pass from the top. openpyxl's read-only mode builds an
element and a dictionary for every cell to get there; here the sheet's XML is fed to expat in chunks
and each ``<row>`` becomes a tuple of values as it ends, so reading costs a fraction of openpyxl's
parse and stops as soon as the caller stops asking.

The values are those of openpyxl's ``load_workbook(read_only=True, data_only=True)`` and
``iter_rows(values_only=True)`` after ``reset_dimensions()``: shared and inline strings (rich-text
runs joined, phonetic runs left out), numbers as ``int`` or ``float`` as written, dates, times and
durations where the cell's number format says so (1900 or 1904 calendar), booleans, and an error
such as ``#N/A`` as its text. One difference: each row comes with its number, and the rows a file
skips are not filled in with empty ones. Two things openpyxl does not tell are collected on the
side (:class:`SheetRows`): the cells holding a formula without a saved result (they read as empty)
and the cells showing an error.

Only what that needs is read: ``[Content_Types].xml``, the workbook and its relationships, the
number formats of ``xl/styles.xml`` and the shared strings. The bytes must have passed
:func:`~oms_core.spreadsheets.safety.check_workbook` first (sizes, zip bombs, DTDs and entities);
the parsers here refuse a DOCTYPE or an entity declaration all the same.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO
from xml.parsers import expat

Row = tuple[int, tuple[object, ...]]
"""A row's number (as Excel shows it) and its values, column A first, up to its last cell."""

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SEP = "}"  # expat's namespace separator: names come as "<namespace>}<local name>"
_ROW = f"{MAIN_NS}{_SEP}row"
_VALUE = f"{MAIN_NS}{_SEP}v"
_FORMULA = f"{MAIN_NS}{_SEP}f"
_INLINE = f"{MAIN_NS}{_SEP}is"
_SHARED_ITEM = f"{MAIN_NS}{_SEP}si"
_TEXT = f"{MAIN_NS}{_SEP}t"
_REL_ID = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships{_SEP}id"
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STYLES_PART = "xl/styles.xml"
_DEFAULT_WORKBOOK_PART = "xl/workbook.xml"
_CHUNK = 1 << 16
_DIGITS = "0123456789"

WINDOWS_EPOCH = datetime(1899, 12, 30)
"""Day 0 of the 1900 date system (Excel's default)."""
MAC_EPOCH = datetime(1904, 1, 1)
"""Day 0 of the 1904 date system (``<workbookPr date1904="1"/>``)."""

BUILTIN_DATE_FORMATS = {
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
}
"""The built-in number formats that show a date, a time or a duration (the others show numbers)."""

_QUOTED_OR_BRACKETED = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_TOKEN = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE)
_COLUMNS: dict[str, int] = {}


class UnsafeXml(ValueError):
    """A part declares a DOCTYPE or an entity: refused here too, whatever the safety checks said."""


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """A worksheet of the workbook, in the workbook's order.

    Attributes:
        name: the name on the sheet's tab.
        state: ``visible``, ``hidden`` or ``veryHidden``.
        part: the sheet's XML inside the zip, e.g. ``xl/worksheets/sheet1.xml``.
    """

    name: str
    state: str
    part: str


def is_date_format(code: str | None) -> bool:
    """Whether a number format shows a date or a time (openpyxl's rule, first section only)."""
    if code is None:
        return False
    return _DATE_TOKEN.search(_QUOTED_OR_BRACKETED.sub("", code.split(";")[0])) is not None


def is_duration_format(code: str | None) -> bool:
    """Whether a number format shows elapsed time, such as ``[h]:mm:ss``."""
    return code is not None and _DURATION.search(code.split(";")[0]) is not None


def excel_date(serial: float, epoch: datetime = WINDOWS_EPOCH, duration: bool = False) -> object:
    """A date cell's value from its serial number, as openpyxl's ``from_excel`` gives it.

    Args:
        serial: days since the epoch, the fraction being the time of day.
        epoch: :data:`WINDOWS_EPOCH` or :data:`MAC_EPOCH`.
        duration: the format shows elapsed time: a ``timedelta`` (to the millisecond).

    Returns:
        A ``datetime``; a ``time`` for a serial below 1; a ``timedelta`` for a duration.

    Raises:
        OverflowError: the serial is far outside the dates Python can hold.
        ValueError: likewise.
    """
    if duration:
        span = timedelta(days=serial)
        if span.microseconds:
            span = timedelta(seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3))
        return span
    day, fraction = divmod(serial, 1)
    diff = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return time(hours, minutes, seconds, diff.microseconds)
    if 0 < serial < 60 and epoch == WINDOWS_EPOCH:
        day += 1  # Excel's 1900-02-29, which never was
    return epoch + timedelta(days=day) + diff


def column_index(letters: str) -> int:
    """1-based index of a column's letters: ``A`` -> 1, ``AB`` -> 28 (``A`` to ``ZZZ``).

    Raises:
        ValueError: not one to three capital letters.
    """
    try:
        return _COLUMNS[letters]
    except KeyError:
        pass
    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()):
        raise ValueError(f"{letters!r} is not a column")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    _COLUMNS[letters] = index
    return index


class WorkbookStream:
    """An ``.xlsx`` opened for reading sheets row by row. Use it as a context manager.

    Attributes:
        sheets: the worksheets in the workbook's order (chart sheets and missing parts left out).
        epoch: the workbook's day 0: :data:`WINDOWS_EPOCH`, or :data:`MAC_EPOCH` for a 1904 workbook.
        shared_strings: the shared string table, rich text as plain text.
    """

    def __init__(self, data: bytes) -> None:
        """Open the workbook and read what every sheet needs.

        Args:
            data: the file's bytes, already passed by the safety checks.

        Raises:
            Exception: whatever a broken package trips on (``zipfile.BadZipFile``, ``KeyError`` for a
                missing part, ``expat.ExpatError``, ``ValueError``, :class:`UnsafeXml`...).
        """
        self._archive = zipfile.ZipFile(io.BytesIO(data))
        self._open: list[Generator[Row, None, None]] = []
        try:
            self._load()
        except BaseException:
            self._archive.close()
            raise

    def __enter__(self) -> WorkbookStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every sheet still being read and close the zip."""
        for rows in self._open:
            rows.close()
        self._archive.close()

    def rows(self, sheet: SheetInfo) -> SheetRows:
        """The rows of ``sheet``, read as they are asked for."""
        rows = SheetRows(self, sheet)
        self._open.append(rows._rows)
        return rows

    # -- the workbook's parts --------------------------------------------------------------------

    def _load(self) -> None:
        archive = self._archive
        names = set(archive.namelist())
        overrides, defaults = _content_types(archive.read("[Content_Types].xml"))
        workbook_part = _workbook_part(overrides, defaults)
        self.epoch, entries = _workbook(archive.read(workbook_part))
        folder, base = posixpath.split(workbook_part)
        relationships = _relationships(archive, posixpath.join(folder, "_rels", f"{base}.rels"))
        sheets = []
        for name, state, rel_id in entries:
            if not rel_id:
                continue
            target, kind = relationships[rel_id]
            if target in names and "chartsheet" not in kind:
                sheets.append(SheetInfo(name, state, target))
        self.sheets = tuple(sheets)
        strings_part = next((part for part, kind in overrides if kind == _SHARED_STRINGS_TYPE), None)
        self.shared_strings: list[str] = []
        if strings_part is not None:
            with archive.open(strings_part.removeprefix("/")) as stream:
                self.shared_strings = _shared_strings(stream)
        self._date_styles: frozenset[int] = frozenset()
        self._duration_styles: frozenset[int] = frozenset()
        if _STYLES_PART in names:
            self._date_styles, self._duration_styles = _date_styles(archive.read(_STYLES_PART))

    # -- a sheet's rows --------------------------------------------------------------------------

    def _stream(  # noqa: C901, PLR0915 - one parser's handlers, kept together so they share local state
        self, sheet: SheetInfo, uncalculated: set[tuple[int, int]], errors: dict[tuple[int, int], str]
    ) -> Generator[Row, None, None]:
        shared = self.shared_strings
        date_styles, duration_styles, epoch = self._date_styles, self._duration_styles, self.epoch
        columns = _COLUMNS
        ready: list[Row] = []
        chunks: list[str] = []
        collecting = False
        depth = 0
        row_depth = cell_depth = value_depth = -1  # -1: not inside a row
        number = last = 0
        keep = False
        values: list[object] = []
        column = last_column = 0
        kind: str = "n"
        style: str | None = None
        ref: str | None = None
        text: str | None = None
        formula = False
        rich = _RichText()  # reused for every inline string
        inline: _RichText | None = None  # ``rich`` while an <is> is open
        inline_text: str | None = None

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal collecting, depth, row_depth, cell_depth, value_depth, number, last, keep, values
            nonlocal column, last_column, kind, style, ref, text, formula, inline, inline_text
            depth += 1
            collecting = False  # an element's text is what comes before its first child
            if depth == cell_depth:  # any child of <row> is a cell, as openpyxl reads it
                kind = attributes.get("t", "n")
                style = attributes.get("s")
                ref = attributes.get("r")
                text = inline_text = inline = None
                formula = False
            elif depth == value_depth:
                if name == _VALUE:
                    if text is None:  # the first <v> counts
                        collecting = True
                        chunks.clear()
                elif name == _FORMULA:
                    formula = True
                elif name == _INLINE and inline_text is None and inline is None:
                    inline = rich.reset(depth)
            elif inline is not None and depth > inline.depth:
                if inline.start(name, depth):
                    collecting = True
                    chunks.clear()
            elif name == _ROW and row_depth < 0:
                given = attributes.get("r")
                number = number + 1 if given is None else _row_number(given)
                keep = number > last  # a row numbered below one already read is dropped, as openpyxl does
                if keep:
                    last = number
                row_depth, cell_depth, value_depth = depth, depth + 1, depth + 2
                values = []
                column = last_column = 0

        def end(name: str) -> None:
            nonlocal collecting, depth, row_depth, cell_depth, value_depth, column, last_column
            nonlocal text, inline, inline_text
            if depth == cell_depth:
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    try:
                        column = columns[letters]
                    except KeyError:
                        column = column_index(letters)
                else:
                    column += 1
                value: object = None
                if kind == "s":
                    if text:
                        value = shared[int(text)]
                elif kind == "n":
                    if text:
                        value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                        if style and date_styles and int(style) in date_styles:
                            try:
                                value = excel_date(value, epoch, int(style) in duration_styles)  # type: ignore[arg-type]
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                                if keep:
                                    errors[number, column - 1] = "#VALUE!"
                elif kind == "inlineStr":
                    value = inline_text
                elif kind == "str":
                    value = text or None
                elif kind == "b":
                    if text:
                        value = bool(int(text))
                elif kind == "e":
                    if text:
                        value = text
                        if keep:
                            errors[number, column - 1] = text
                elif kind == "d":
                    if text:
                        value = _iso_date(text)
                else:
                    value = text or None
                if formula and kind != "str" and not (text and text.strip()) and keep:
                    uncalculated.add((number, column - 1))
                size = len(values)
                if column == size + 1:
                    values.append(value)
                elif column > size:
                    values.extend([None] * (column - size - 1))
                    values.append(value)
                else:
                    values[column - 1] = value  # out of order: overwrite, as openpyxl does
                last_column = column
            elif depth == value_depth:
                if name == _VALUE and text is None:
                    text = "".join(chunks)
                elif inline is not None and depth == inline.depth:
                    inline_text, inline = inline.content(), None
            elif inline is not None and depth > inline.depth:
                inline.end(depth, "".join(chunks))
            elif depth == row_depth:
                if keep:
                    if last_column < len(values):
                        del values[last_column:]  # openpyxl's row ends at its last cell
                    ready.append((number, tuple(values)))
                row_depth = cell_depth = value_depth = -1
            depth -= 1
            collecting = False

        def characters(data: str) -> None:
            if collecting:
                chunks.append(data)

        parser = _new_parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        with self._archive.open(sheet.part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                if ready:
                    yield from ready
                    ready.clear()
            parser.Parse(b"", True)
        yield from ready


class SheetRows:
    """The rows of one sheet as ``(number, values)``, read from the XML as they are asked for.

    Iterate once. By the time a row has been yielded, its cells are in :attr:`uncalculated` and
    :attr:`errors`, so a caller may look up the row it holds.

    Attributes:
        uncalculated: ``(row number, 0-based column)`` of the cells holding a formula with no saved
            result. Such a cell reads as ``None``; Excel or LibreOffice would have saved a result.
        errors: ``(row number, 0-based column)`` -> the error the cell shows (``#N/A``, ``#DIV/0!``,
            or ``#VALUE!`` for a date beyond the calendar). The value reads as that text.
    """

    def __init__(self, book: WorkbookStream, sheet: SheetInfo) -> None:
        """Prepare to read ``sheet`` of ``book``; nothing is parsed before the first row is asked for."""
        self.sheet = sheet
        self.uncalculated: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}
        self._rows = book._stream(sheet, self.uncalculated, self.errors)

    def __iter__(self) -> Iterator[Row]:
        return self._rows


class _RichText:
    """The text of an ``<si>`` or ``<is>`` as openpyxl gives it: its ``<t>``, then each run's ``<t>``.

    Phonetic runs (``<rPh>``) are left out. Children are matched by local name, as openpyxl does,
    and an element's text is what comes before its first child, as in ElementTree.
    """

    __slots__ = ("depth", "plain", "runs", "_in_run", "_open_t")

    def __init__(self, depth: int = 0) -> None:
        self.reset(depth)

    def reset(self, depth: int) -> _RichText:
        """Start over for an element at ``depth``; returns itself."""
        self.depth = depth
        self.plain = ""
        self.runs: list[str] = []
        self._in_run = False
        self._open_t = -1  # depth of the <t> being read, -1 if none
        return self

    def start(self, name: str, depth: int) -> bool:
        """An element inside opens; whether it is a ``<t>`` whose text is to be collected."""
        if depth == self.depth + 1:
            local = "t" if name == _TEXT else name.rpartition(_SEP)[2]
            if local == "t":
                self._open_t = depth
                return True
            if local == "r":
                self._in_run = True
                self.runs.append("")
        elif depth == self.depth + 2 and self._in_run and name.rpartition(_SEP)[2] == "t":
            self._open_t = depth
            return True
        return False

    def end(self, depth: int, text: str) -> None:
        """An element inside closes; ``text`` is what was collected since the last ``<t>`` opened."""
        if depth == self._open_t:
            if depth == self.depth + 1:
                self.plain = text  # the last <t> wins
            else:
                self.runs[-1] = text
            self._open_t = -1
        elif depth == self.depth + 1:
            self._in_run = False

    def content(self) -> str:
        """The whole text."""
        return self.plain + "".join(self.runs) if self.runs else self.plain


# -- small parts ---------------------------------------------------------------------------------


def _refuse(*_args: object) -> None:
    raise UnsafeXml("the XML declares a DOCTYPE or an entity")


def _new_parser() -> expat.XMLParserType:
    """An expat parser with namespaces, buffered text, and no DTD or entity of any kind."""
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    return parser


def _parse(data: bytes, start: Callable[[str, dict[str, str], int], None]) -> None:
    """Parse a small part, calling ``start(local name, attributes, depth)`` for every element."""
    depth = 0

    def on_start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        start(name.rpartition(_SEP)[2], attributes, depth)

    def on_end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser = _new_parser()
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.Parse(data, True)


def _content_types(data: bytes) -> tuple[list[tuple[str, str]], set[str]]:
    """``[Content_Types].xml``: the (part name, content type) overrides and the default types."""
    overrides: list[tuple[str, str]] = []
    defaults: set[str] = set()

    def start(local: str, attributes: dict[str, str], depth: int) -> None:
        if depth == 2 and local == "Override":
            overrides.append((attributes["PartName"], attributes["ContentType"]))
        elif depth == 2 and local == "Default":
            defaults.add(attributes["ContentType"])

    _parse(data, start)
    return overrides, defaults


def _workbook_part(overrides: list[tuple[str, str]], defaults: set[str]) -> str:
    for wanted in _WORKBOOK_TYPES:
        for part, kind in overrides:
            if kind == wanted:
                return part.removeprefix("/")
    if defaults.intersection(_WORKBOOK_TYPES):
        return _DEFAULT_WORKBOOK_PART
    raise ValueError("the package has no workbook part")


def _workbook(data: bytes) -> tuple[datetime, list[tuple[str, str, str | None]]]:
    """The workbook part: its epoch and its sheets as (name, state, relationship id)."""
    epoch = WINDOWS_EPOCH
    sheets: list[tuple[str, str, str | None]] = []

    def start(local: str, attributes: dict[str, str], depth: int) -> None:
        nonlocal epoch
        if depth == 2 and local == "workbookPr":
            flag = attributes.get("date1904")
            epoch = MAC_EPOCH if flag and flag not in ("false", "f", "0") else WINDOWS_EPOCH
        elif depth == 3 and local == "sheet":
            sheets.append((attributes["name"], attributes.get("state", "visible"), attributes.get(_REL_ID)))

    _parse(data, start)
    return epoch, sheets


def _relationships(archive: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """A ``.rels`` part: id -> (target as a path inside the zip, relationship type)."""
    found: dict[str, tuple[str, str]] = {}
    parent = posixpath.split(posixpath.dirname(path))[0]  # targets are relative to the part's folder

    def start(local: str, attributes: dict[str, str], depth: int) -> None:
        if depth == 2 and local == "Relationship":
            target = attributes["Target"]
            if attributes.get("TargetMode") != "External":
                if target.startswith("/"):
                    target = target[1:]
                else:
                    target = posixpath.normpath(posixpath.join(parent, target))
            found[attributes["Id"]] = (target, attributes.get("Type", ""))

    _parse(archive.read(path), start)
    return found


def _date_styles(data: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """``xl/styles.xml``: the cell styles (``s=`` indexes) whose number format is a date, a duration."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    parents: list[str] = []

    def start(local: str, attributes: dict[str, str], depth: int) -> None:
        del parents[depth - 1 :]
        parents.append(local)
        if depth == 3 and local == "numFmt" and parents[1] == "numFmts":
            custom[int(attributes["numFmtId"])] = attributes["formatCode"]
        elif depth == 3 and local == "xf" and parents[1] == "cellXfs":
            formats.append(int(attributes.get("numFmtId", 0)))

    _parse(data, start)
    dates, durations = set(), set()
    for index, format_id in enumerate(formats):
        code = custom[format_id] if format_id in custom else BUILTIN_DATE_FORMATS.get(format_id)
        if is_date_format(code):
            dates.add(index)
        if is_duration_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def _shared_strings(stream: IO[bytes]) -> list[str]:
    """The shared string table: each ``<si>`` as plain text."""
    strings: list[str] = []
    chunks: list[str] = []
    collecting = False
    depth = 0
    item: _RichText | None = None

    def start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal depth, collecting, item
        depth += 1
        collecting = False
        if item is not None:
            if item.start(name, depth):
                collecting = True
                chunks.clear()
        elif name == _SHARED_ITEM:
            item = _RichText(depth)

    def end(_name: str) -> None:
        nonlocal depth, collecting, item
        if item is not None:
            if depth == item.depth:
                text = item.content()
                strings.append(text.replace("x005F_", "") if "x005F_" in text else text)  # as openpyxl
                item = None
            else:
                item.end(depth, "".join(chunks))
        depth -= 1
        collecting = False

    def characters(data: str) -> None:
        if collecting:
            chunks.append(data)

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


def _row_number(given: str) -> int:
    try:
        return int(given)
    except ValueError:
        number = float(given)
        if not number.is_integer():
            raise ValueError(f"{given} is not a valid row number") from None
        return int(number)


def _iso_date(text: str) -> date | datetime | time | timedelta | None:
    """A ``t="d"`` cell (ISO 8601, rare: strict OOXML writers). openpyxl's parser, loaded only if needed."""
    from openpyxl.utils.datetime import from_ISO8601

    return from_ISO8601(text)  # type: ignore[no-any-return]
