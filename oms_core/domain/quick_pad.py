"""The Quick Order Pad's language: many items typed or pasted at once, one per line.

Accepted, in any mix (SKUs are compared whatever their case)::

    WINE-CAB-2019 3          SKU and quantity
    WINE-CAB-2019 x 3        ... with an ``x`` (or ``*``) between them
    WINE-CAB-2019 X3         ... or stuck to the quantity (``x3``, ``3x``)
    3 WINE-CAB-2019          quantity first
    3 x WINE-CAB-2019
    WINE-CAB-2019            a SKU alone means one
    WINE-CAB-2019,3          comma-, semicolon- or tab-separated: a paste from a spreadsheet,
    "WINE-CAB-2019","1,000"  with quoted cells, maybe under a header row (``SKU  Qty``)

Blank lines are ignored. A line that cannot be read keeps its line number and says why, so the
operator can fix it in place. Lines naming the same SKU are merged into one item.
Standard library only.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from oms_core.domain.errors import ValidationError
from oms_core.domain.orders import MAX_LINE_QUANTITY, parse_quantity
from oms_core.domain.products import normalize_sku
from oms_core.domain.text import strip_control

MAX_PAD_LINES = 5_000
"""More lines than this are refused: a pad is for an order, not a catalogue."""

_QUANTITY = re.compile(r"[+-]?\d[\d,]*(?:\.\d*)?")
_X_BEFORE = re.compile(r"[xX*×]([+-]?\d[\d,]*(?:\.\d*)?)")
_X_AFTER = re.compile(r"([+-]?\d[\d,]*(?:\.\d*)?)[xX*×]")
_SEPARATORS = frozenset({"x", "X", "*", "×"})
# ``SKU 1,000`` and ``1,000 SKU`` are free-form lines with a thousands separator, not CSV.
_SPACED_THOUSANDS = re.compile(r"\S+\s+(?:[xX*×]\s*)?\d{1,3}(?:,\d{3})+|\d{1,3}(?:,\d{3})+\s*[xX*×]?\s+\S+")

_SKU_HEADERS = frozenset(
    {"sku", "item", "item #", "item no", "item no.", "item number", "product", "product code", "code",
     "part", "part #", "part no", "part number", "article", "style"}
)  # fmt: skip
_QTY_HEADERS = frozenset({"qty", "qty.", "quantity", "units", "count", "cases", "bottles", "amount", "#"})
_OTHER_HEADERS = frozenset(
    {"description", "name", "product name", "item name", "price", "unit price", "each", "total",
     "amount", "notes", "note", "size", "vintage", "uom", "unit", "pack", "color", "colour"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PadLine:
    """One non-blank line of the pad as read.

    Attributes:
        number: the line's number in the pad (1-based, as an editor shows it).
        text: the line as typed, without its line break.
        sku: the SKU, upper-cased ("" when none could be read).
        quantity: the quantity, or ``None`` when it could not be read.
        problem: why the line cannot be used ("" when it can).
        header: the line is a spreadsheet header row, skipped.
    """

    number: int
    text: str
    sku: str = ""
    quantity: int | None = None
    problem: str = ""
    header: bool = False

    @property
    def ok(self) -> bool:
        """True when the line gave a SKU and a good quantity."""
        return not self.problem and not self.header and self.quantity is not None


@dataclass(frozen=True, slots=True)
class PadItem:
    """One SKU with the quantities of every line naming it added up.

    Attributes:
        sku: upper-case SKU.
        quantity: the total quantity.
        lines: the pad lines it came from.
        problem: set when the total breaks a rule (more than the largest allowed quantity).
    """

    sku: str
    quantity: int
    lines: tuple[int, ...]
    problem: str = ""


@dataclass(frozen=True, slots=True)
class ParsedPad:
    """What a pad says.

    Attributes:
        lines: every non-blank line, in pad order, header included.
        items: the readable lines merged by SKU, in the order each SKU first appears.
    """

    lines: tuple[PadLine, ...]
    items: tuple[PadItem, ...]

    @property
    def bad_lines(self) -> tuple[PadLine, ...]:
        """Lines that could not be read."""
        return tuple(line for line in self.lines if line.problem)

    @property
    def header(self) -> PadLine | None:
        """The header row, if the paste had one."""
        return next((line for line in self.lines if line.header), None)


@dataclass(frozen=True, slots=True)
class _Columns:
    delimiter: str
    sku: int
    quantity: int | None


def parse_pad(text: str) -> ParsedPad:
    """Read every line of the pad and merge the items.

    Raises:
        ValidationError: the pad has more than ``MAX_PAD_LINES`` non-blank lines.
    """
    lines: list[PadLine] = []
    columns: _Columns | None = None
    raw_lines = text.splitlines()
    for number, raw in enumerate(raw_lines, start=1):
        line_text = "\t".join(strip_control(cell) for cell in raw.split("\t")).strip()
        if not line_text:
            continue
        if len(lines) >= MAX_PAD_LINES:
            raise ValidationError(f"the pad holds at most {MAX_PAD_LINES:,} lines", field="pad")
        if not lines:
            columns = _header_columns(line_text)
            if columns is not None:
                lines.append(PadLine(number, raw.rstrip("\r\n"), header=True))
                continue
        lines.append(_parse_line(number, raw.rstrip("\r\n"), line_text, columns))
    return ParsedPad(tuple(lines), merge(lines))


def merge(lines: list[PadLine] | tuple[PadLine, ...]) -> tuple[PadItem, ...]:
    """Add up the quantities of readable lines naming the same SKU, in first-seen order."""
    totals: dict[str, tuple[int, list[int]]] = {}
    for line in lines:
        if not line.ok or line.quantity is None:
            continue
        quantity, numbers = totals.get(line.sku, (0, []))
        totals[line.sku] = (quantity + line.quantity, [*numbers, line.number])
    items = []
    for sku, (quantity, numbers) in totals.items():
        problem = ""
        if quantity > MAX_LINE_QUANTITY:
            where = "lines " + ", ".join(map(str, numbers)) if len(numbers) > 1 else ""
            problem = f"quantity must be at most {MAX_LINE_QUANTITY:,}" + (f" ({where})" if where else "")
        items.append(PadItem(sku, quantity, tuple(numbers), problem))
    return tuple(items)


def keep_lines(text: str, numbers: set[int] | frozenset[int], keep_header: bool = True) -> str:
    """The pad's text with only the lines ``numbers`` (1-based), e.g. the ones still to fix.

    The header row of a paste is kept with them, so its columns still read the same way.
    """
    parsed_header = None
    if keep_header and numbers:
        header = parse_pad(text).header
        parsed_header = header.number if header else None
    kept = [
        line
        for number, line in enumerate(text.splitlines(), start=1)
        if number in numbers or number == parsed_header
    ]
    return "\n".join(kept)


def format_items(items: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> str:
    """Items written back as pad text, one ``SKU quantity`` per line."""
    return "\n".join(f"{sku} {quantity}" for sku, quantity in items)


# -- one line -------------------------------------------------------------------------------------


def _split(line_text: str) -> tuple[str, list[str]]:
    """The delimiter the line uses ("" for free-form) and its non-empty cells."""
    delimiter = ""
    if "\t" in line_text:
        delimiter = "\t"
    elif "," in line_text and not _SPACED_THOUSANDS.fullmatch(line_text):
        delimiter = ","
    elif ";" in line_text:
        delimiter = ";"
    if not delimiter:
        return "", line_text.split()
    try:
        row = next(csv.reader([line_text], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error:
        row = line_text.split(delimiter)
    return delimiter, [cell.strip() for cell in row]


def _header_columns(line_text: str) -> _Columns | None:
    """The SKU and quantity columns when the line is a header row (``SKU,Qty``), else ``None``."""
    delimiter, cells = _split(line_text)
    words = [cell.lower().strip(" :") for cell in cells]
    named = [w for w in words if w]
    if len(named) < 2 or any(ch.isdigit() for w in named for ch in w):
        return None
    known = _SKU_HEADERS | _QTY_HEADERS | _OTHER_HEADERS
    if not delimiter and not all(w in known for w in named):
        return None  # ``WINE-CAB item`` is a bad line, not a header
    sku = next((i for i, w in enumerate(words) if w in _SKU_HEADERS), None)
    quantity = next((i for i, w in enumerate(words) if w in _QTY_HEADERS), None)
    if sku is None:
        return None
    return _Columns(delimiter, sku, quantity)


def _parse_line(number: int, raw: str, line_text: str, columns: _Columns | None) -> PadLine:
    delimiter, cells = _split(line_text)
    if columns is not None and delimiter and delimiter == columns.delimiter:
        return _by_columns(number, raw, cells, columns)
    cells = [cell for cell in cells if cell]
    if delimiter:
        return _delimited(number, raw, cells)
    return _free_form(number, raw, cells)


def _by_columns(number: int, raw: str, cells: list[str], columns: _Columns) -> PadLine:
    sku = cells[columns.sku] if columns.sku < len(cells) else ""
    quantity = ""
    if columns.quantity is not None and columns.quantity < len(cells):
        quantity = cells[columns.quantity]
    if not sku:
        return PadLine(number, raw, problem="no SKU in the SKU column")
    return _line(number, raw, sku, _strip_x(quantity) or "1")


def _delimited(number: int, raw: str, cells: list[str]) -> PadLine:
    if not cells:
        return PadLine(number, raw, problem="no SKU on this line")
    if len(cells) == 1:
        return _alone(number, raw, cells[0])
    first, second = cells[0], cells[1]
    if _looks_like_quantity(first) and not _looks_like_quantity(second):
        return _line(number, raw, second, _strip_x(first))
    # SKU first; a description may sit between the SKU and the quantity.
    quantity = next((cell for cell in cells[1:] if _looks_like_quantity(cell)), None)
    if quantity is None:
        return _line(number, raw, first, second)
    return _line(number, raw, first, _strip_x(quantity))


def _free_form(number: int, raw: str, tokens: list[str]) -> PadLine:
    marked = [t for t in tokens if t not in _SEPARATORS]
    had_separator = len(marked) != len(tokens)
    if not marked:
        return PadLine(number, raw, problem="no SKU on this line")
    if len(marked) == 1:
        if had_separator:
            return PadLine(number, raw, problem="expected a SKU and a quantity")
        return _alone(number, raw, marked[0])
    if len(marked) > 2:
        return PadLine(number, raw, problem="expected a SKU and a quantity, one item per line")
    first, second = marked
    first_marked = bool(_X_BEFORE.fullmatch(first) or _X_AFTER.fullmatch(first))
    second_marked = bool(_X_BEFORE.fullmatch(second) or _X_AFTER.fullmatch(second))
    if first_marked and not second_marked and not _looks_like_quantity(second):
        return _line(number, raw, second, _strip_x(first))
    if second_marked or _looks_like_quantity(second):
        return _line(number, raw, first, _strip_x(second))
    if _looks_like_quantity(first):
        return _line(number, raw, second, first)
    return _line(number, raw, first, second)


def _alone(number: int, raw: str, token: str) -> PadLine:
    # A bare number is taken as a (numeric) SKU; if it was a quantity whose SKU went missing, the
    # catalogue check says "unknown SKU" on the same line.
    return _line(number, raw, token, "1")


def _line(number: int, raw: str, sku: str, quantity: str) -> PadLine:
    sku = normalize_sku(sku.strip().strip('"').strip("'"))
    if not sku:
        return PadLine(number, raw, problem="no SKU on this line")
    if any(ch.isspace() for ch in sku):
        return PadLine(number, raw, sku=sku, problem="a SKU has no spaces: one item per line")
    try:
        value = parse_quantity(quantity)
    except ValidationError as exc:
        return PadLine(number, raw, sku=sku, problem=str(exc))
    return PadLine(number, raw, sku=sku, quantity=value)


def _looks_like_quantity(token: str) -> bool:
    return bool(_QUANTITY.fullmatch(token) or _X_BEFORE.fullmatch(token) or _X_AFTER.fullmatch(token))


def _strip_x(token: str) -> str:
    match = _X_BEFORE.fullmatch(token) or _X_AFTER.fullmatch(token)
    return match.group(1) if match else token
