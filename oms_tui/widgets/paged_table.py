"""A row-cursor table that fits its columns to the terminal and asks for its next page on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from oms_tui.text import safe

Justify = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a ``PagedTable``.

    Attributes:
        key: the column key.
        label: the header.
        width: a fixed width in cells; 0 makes the column share the leftover width.
        weight: the share of the leftover width a flexible column takes.
        minimum: a flexible column never gets narrower than this.
        justify: ``right`` for amounts.
        wide: the column is shown only when the table is at least this many cells wide (0: always),
            so a narrow terminal gives its width to what matters more.
    """

    key: str
    label: str
    width: int = 0
    weight: int = 1
    minimum: int = 6
    justify: Justify = "left"
    wide: int = 0


def cell(value: object, width: int, justify: Justify = "left", lead: bool = False) -> Text:
    """A table cell of exactly ``width`` cells plus a one-cell gap, shown literally (never markup)
    and cut with an ellipsis when too long. ``lead`` adds a one-cell margin before it.
    """
    text = value.copy() if isinstance(value, Text) else Text(safe(value))
    text.truncate(width, overflow="ellipsis")
    gap = " " * max(width - text.cell_len, 0)
    if justify == "right":
        text = Text.assemble(gap, text)
    else:
        text.append(gap)
    text.no_wrap = True
    return Text.assemble(" " if lead else "", text, " ")


class PagedTable(DataTable[Text]):
    """A DataTable of one page (or a few pages) of rows, never a whole table.

    Columns are sized to the widget's width so that 80 columns show every column (but those marked
    ``wide``), cut with an ellipsis rather than scrolled sideways. New rows replace the old ones in
    place: the columns are rebuilt only when the width changes. When ``has_more`` is set, PageDown
    (or Down) on the last row posts ``MoreWanted``; the owner loads the next page and calls ``append_rows``.
    """

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    /* The highlight Enter acts on, shown as focused while the cursor is in a search box. */
    PagedTable.-active-cursor > .datatable--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    @dataclass
    class MoreWanted(Message):
        """The cursor is on the last row and the operator asked for more."""

        table: PagedTable

        @property
        def control(self) -> PagedTable:
            """The table that wants its next page."""
            return self.table

    def __init__(
        self, columns: Sequence[ColumnSpec], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, cell_padding=0, id=id, classes=classes)
        self.specs = tuple(columns)
        self.has_more = False
        self._page_rows: list[tuple[str, tuple[object, ...]]] = []
        self._widths: tuple[int, ...] = ()
        self._shown: tuple[ColumnSpec, ...] = ()
        self._shown_at: tuple[int, ...] = ()

    # -- rows ------------------------------------------------------------------------------------

    def set_rows(
        self, rows: Sequence[tuple[str, Sequence[object]]], *, has_more: bool, keep_key: str | None = None
    ) -> None:
        """Replace every row; keep the cursor on ``keep_key`` when that row is still there."""
        self._page_rows = [(key, tuple(values)) for key, values in rows]
        self.has_more = has_more
        if not self._shown or self._fit() != (self._shown, self._widths):
            self._rebuild(keep_key)
            return
        # Same columns: swap the rows only (rebuilding the columns costs more than the rows).
        self.clear()
        self._add_page_rows(keep_key)

    def append_rows(self, rows: Sequence[tuple[str, Sequence[object]]], *, has_more: bool) -> None:
        """Add the next page below the rows already shown; the cursor moves to its first row."""
        first_new = len(self._page_rows)
        known = {key for key, _ in self._page_rows}
        fresh = [(key, tuple(values)) for key, values in rows if key not in known]
        self._page_rows.extend(fresh)
        self.has_more = has_more
        for key, values in fresh:
            self.add_row(*self._cells(values), key=key)
        if fresh:
            self.move_cursor(row=first_new)

    @property
    def highlighted_key(self) -> str | None:
        """The key of the row under the cursor, or ``None`` when the table is empty."""
        if not self._page_rows or not 0 <= self.cursor_row < len(self._page_rows):
            return None
        return self._page_rows[self.cursor_row][0]

    @property
    def loaded(self) -> int:
        """How many rows are shown."""
        return len(self._page_rows)

    # -- keys ------------------------------------------------------------------------------------

    def action_page_down(self) -> None:
        """Next page of the screen, or the next page of rows when on the last row."""
        if self._at_end_with_more():
            self.post_message(self.MoreWanted(self))
            return
        super().action_page_down()

    def action_cursor_down(self) -> None:
        """Down a row, or the next page of rows when on the last row."""
        if self._at_end_with_more():
            self.post_message(self.MoreWanted(self))
            return
        super().action_cursor_down()

    def _at_end_with_more(self) -> bool:
        return self.has_more and self.row_count > 0 and self.cursor_row >= self.row_count - 1

    # -- layout ----------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns to the new width."""
        if self._fit() != (self._shown, self._widths):
            self._rebuild(self.highlighted_key)

    def _fit(self) -> tuple[tuple[ColumnSpec, ...], tuple[int, ...]]:
        """The columns shown at the current width, and their widths."""
        shown = tuple(spec for spec in self.specs if not spec.wide or self.size.width >= spec.wide)
        # one cell of gap after every column, one before the first, one for the scrollbar
        available = max(self.size.width - 2, 20) - len(shown)
        fixed = sum(spec.width for spec in shown if spec.width)
        flexible = [spec for spec in shown if not spec.width]
        leftover = max(available - fixed, 0)
        weights = sum(spec.weight for spec in flexible) or 1
        widths = []
        for spec in shown:
            if spec.width:
                widths.append(spec.width)
            else:
                widths.append(max(spec.minimum, leftover * spec.weight // weights))
        return shown, tuple(widths)

    def _cells(self, values: Sequence[object]) -> list[Text]:
        shown = zip(self._shown_at, self._shown, self._widths, strict=True)
        return [
            cell(values[at] if at < len(values) else "", width, spec.justify, lead=index == 0)
            for index, (at, spec, width) in enumerate(shown)
        ]

    def _rebuild(self, keep_key: str | None) -> None:
        self._shown, self._widths = self._fit()
        self._shown_at = tuple(self.specs.index(spec) for spec in self._shown)
        self.clear(columns=True)
        for index, (spec, width) in enumerate(zip(self._shown, self._widths, strict=True)):
            lead = 1 if index == 0 else 0
            label = cell(spec.label, width, spec.justify, lead=bool(lead))
            self.add_column(label, width=width + 1 + lead, key=spec.key)
        self._add_page_rows(keep_key)

    def _add_page_rows(self, keep_key: str | None) -> None:
        for key, values in self._page_rows:
            self.add_row(*self._cells(values), key=key)
        row = 0
        if keep_key is not None:
            row = next((i for i, (key, _) in enumerate(self._page_rows) if key == keep_key), 0)
        if self._page_rows:
            self.move_cursor(row=row)
