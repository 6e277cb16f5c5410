"""The Quick Order Pad: a text area for many items at once, and the live check of what it says.

Type or paste (``SKU qty``, ``SKU x3``, ``qty SKU``, a block of spreadsheet cells...); after a short
pause the pad is checked in a worker (a newer keystroke drops an older check) and the table below
shows each item with its name, price, stock and total, or what is wrong with its line. The line
under the table tells the whole of the row under the cursor (in the text, or in the table when it
has the focus), wrapped; with the cursor on no item, the first problem. The owner says how to
check (a customer's prices, a draft's stock, a club's prices) and what F9 does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from oms_core.domain.errors import OmsError
from oms_core.domain.money import format_money
from oms_core.services.quick_pad import PadPreview, PadRow
from oms_tui.text import safe
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable
from oms_tui.work import run_service

DEBOUNCE_SECONDS = 0.25
HINT = "One item a line: SKU qty, SKU x3, qty SKU, or paste cells from a spreadsheet."

COLUMNS = (
    ColumnSpec("line", "Line", width=4),
    ColumnSpec("sku", "SKU", width=15),
    ColumnSpec("qty", "Qty", width=5, justify="right"),
    ColumnSpec("item", "Item, or what is wrong", weight=1, minimum=12),
    ColumnSpec("price", "Price", width=8, justify="right"),
    ColumnSpec("stock", "Stock", width=5, justify="right"),
    ColumnSpec("total", "Total", width=9, justify="right"),
)


class QuickPad(Vertical):
    """A pad and its preview. ``preview`` is the latest check, ``None`` until one has answered."""

    DEFAULT_CSS = """
    QuickPad {
        height: 1fr;
    }
    QuickPad > TextArea {
        height: 8;
        min-height: 4;
    }
    QuickPad > PagedTable {
        height: 1fr;
        min-height: 4;
    }
    QuickPad > #pad-status, QuickPad > #pad-detail {
        /* A long problem or its "did you mean" list wraps instead of being cut at the edge. */
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    QuickPad > #pad-detail {
        color: $error;
        text-style: bold;
    }
    """

    @dataclass
    class Checked(Message):
        """A check of the pad came back (the preview shows it)."""

        pad: QuickPad
        preview: PadPreview

        @property
        def control(self) -> QuickPad:
            """The pad that was checked."""
            return self.pad

    def __init__(
        self,
        check: Callable[[str], PadPreview],
        text: str = "",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._check = check
        self._initial = text
        self._timer: Timer | None = None
        self._sequence = 0
        self._in_flight = False
        self.preview: PadPreview | None = None
        self.checked_text: str | None = None

    def compose(self) -> ComposeResult:
        """The text area, the preview table and a status line."""
        yield TextArea(
            self._initial,
            soft_wrap=False,
            show_line_numbers=True,
            tab_behavior="focus",
            placeholder=HINT,
            id="pad-text",
        )
        yield PagedTable(COLUMNS, id="pad-preview")
        yield Static("", id="pad-detail", markup=False)
        yield Static(HINT, id="pad-status", markup=False)

    def on_mount(self) -> None:
        """Check what the pad starts with."""
        if self._initial.strip():
            self._run(self._initial)

    # -- public ----------------------------------------------------------------------------------

    @property
    def text_area(self) -> TextArea:
        """Where the lines are typed."""
        return self.query_one("#pad-text", TextArea)

    @property
    def text(self) -> str:
        """What the pad holds now."""
        return self.text_area.text

    @property
    def busy(self) -> bool:
        """True while a check waits for its pause or its answer."""
        return self._timer is not None or self._in_flight

    @property
    def current(self) -> PadPreview | None:
        """The preview, if it was made from the text as it is now."""
        return self.preview if self.checked_text == self.text else None

    def replace_text(self, text: str) -> None:
        """Put ``text`` in the pad (e.g. only the lines still to fix) and check it."""
        self.text_area.load_text(text)
        self.text_area.move_cursor(self.text_area.document.end)

    def recheck(self) -> None:
        """Check the pad again now (stock or the customer may have changed)."""
        self._schedule(self.text, delay=0)

    def say(self, message: str, error: bool = False) -> None:
        """Show a line under the preview (literally)."""
        status = self.query_one("#pad-status", Static)
        status.update(Text(safe(message), style="bold red" if error else ""))

    # -- checking --------------------------------------------------------------------------------

    @on(TextArea.Changed, "#pad-text")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._schedule(event.text_area.text)

    def _schedule(self, text: str, delay: float = DEBOUNCE_SECONDS) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._sequence += 1
        if delay <= 0:
            self._timer = None
            self._run(text)
        else:
            self._timer = self.set_timer(delay, lambda: self._debounced(text))

    def _debounced(self, text: str) -> None:
        self._timer = None
        self._run(text)

    def _run(self, text: str) -> None:
        self._sequence += 1
        sequence = self._sequence
        self._in_flight = True
        check = self._check
        run_service(
            self,
            lambda: check(text),
            lambda preview: self._show(sequence, text, preview),
            lambda error: self._failed(sequence, error),
            group="quick-pad",
            exclusive=True,
        )

    def _show(self, sequence: int, text: str, preview: PadPreview) -> None:
        if sequence != self._sequence:
            return  # a newer check is on its way
        self._in_flight = False
        self.preview = preview
        self.checked_text = text
        table = self.query_one(PagedTable)
        table.set_rows([(str(i), _cells(row)) for i, row in enumerate(preview.rows)], has_more=False)
        self._follow_text_cursor()
        self.say(_summary(preview))
        self.post_message(self.Checked(self, preview))

    @on(PagedTable.RowHighlighted, "#pad-preview")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        event.stop()
        if not event.data_table.has_focus:
            return  # the rows were just replaced: the text's cursor says which row to tell
        if self.preview is not None and 0 <= event.cursor_row < len(self.preview.rows):
            self._detail(self.preview.rows[event.cursor_row])

    @on(TextArea.SelectionChanged, "#pad-text")
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        event.stop()
        self._follow_text_cursor()

    def _follow_text_cursor(self) -> None:
        """Tell the row of the text's cursor line; on a line that is no item, the first problem."""
        if self.preview is None:
            return
        line = self.text_area.cursor_location[0] + 1
        under = next((row for row in self.preview.rows if line in row.lines), None)
        self._detail(under or next((row for row in self.preview.rows if not row.ok), None))

    def _detail(self, row: PadRow | None) -> None:
        """The whole of one row (its problem or warning first), which the table may cut short."""
        text = ""
        if row is not None:
            where = "Lines" if len(row.lines) > 1 else "Line"
            lines = ", ".join(str(n) for n in row.lines)
            text = f"{where} {lines}: {row.problem or row.warning or _described(row)}"
        self.query_one("#pad-detail", Static).update(Text(safe(text)))

    def _failed(self, sequence: int, error: OmsError) -> None:
        if sequence != self._sequence:
            return
        self._in_flight = False
        self.preview = None
        self.checked_text = None
        self.say(str(error), error=True)


def _cells(row: PadRow) -> tuple[object, ...]:
    lines = ",".join(str(n) for n in row.lines)
    if row.problem:
        item = Text(f"! {safe(row.problem)}", style="bold red")
    elif row.warning:
        item = Text.assemble(safe(row.name), (f"  {safe(row.warning)}", "bold yellow"))
    else:
        item = Text(safe(row.name))
    return (
        lines,
        row.sku,
        "" if row.quantity is None else f"{row.quantity:,}",
        item,
        "" if row.price is None else format_money(row.price),
        "" if row.stock_on_hand is None else f"{row.stock_on_hand:,}",
        "" if row.line_total is None else format_money(row.line_total),
    )


def _described(row: PadRow) -> str:
    """A row that reads: its SKU, quantity, name and total."""
    total = "" if row.line_total is None else f", {format_money(row.line_total)}"
    return f"{row.sku} x {row.quantity}, {row.name}{total}"


def _summary(preview: PadPreview) -> str:
    if not preview.rows:
        return HINT
    ready = len(preview.items)
    text = f"{ready} item{'s' if ready != 1 else ''} ready, {format_money(preview.subtotal)}"
    if preview.problems:
        text += f"; {preview.problems} to fix (marked !)"
    return text
