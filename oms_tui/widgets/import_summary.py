"""The dry run of an import: how many orders, units per SKU, totals, and every problem by cell.

Problems and warnings come from the client's file, so every cell is shown as plain text. A file of
10,000 rows can have tens of thousands of problems: the table shows a page of them and reads the
next by keyset (:func:`~oms_core.domain.imports.problems_after`) when PageDown (or Down) reaches
its last row, as the batch member lists do; the warnings (a few, one per odd column) follow the
last page. The table fits its columns to the window, so a long reason is cut short in its cell:
the line under the table says the highlighted one in full.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from oms_core.domain.imports import (
    ImportProblem,
    OrderFile,
    ProblemPosition,
    ordered_problems,
    problems_after,
)
from oms_core.domain.money import format_money
from oms_core.services.imports import ImportPreview
from oms_tui.text import plain
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable

MAX_SKUS_SHOWN = 6
PROBLEM_PAGE = 100
"""Problems a page of the problems table shows."""

PROBLEM_COLUMNS = (
    ColumnSpec("row", "Row", width=5),
    ColumnSpec("column", "Column", width=20),
    ColumnSpec("reason", "Problem", minimum=20),
)


def units_line(units: Sequence[tuple[str, int]]) -> str:
    """``WINE-CAB-2019 ×12 · GIFT-BOX ×3`` (the first few SKUs, then how many more)."""
    shown = [f"{sku} ×{count:,}" for sku, count in units[:MAX_SKUS_SHOWN]]
    if len(units) > MAX_SKUS_SHOWN:
        shown.append(f"and {len(units) - MAX_SKUS_SHOWN} more SKUs")
    return " · ".join(shown) or "no units"


def column_text(problem: ImportProblem) -> str:
    """``H (ZIP)``, ``H`` or empty."""
    if not problem.column:
        return ""
    return f"{problem.column} ({problem.header})" if problem.header else problem.column


class ProblemTable(PagedTable):
    """A file's problems (row, column, reason), a page at a time, then its warnings as notes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(PROBLEM_COLUMNS, id=id)
        self._problems: tuple[ImportProblem, ...] = ()
        self._warnings: tuple[ImportProblem, ...] = ()
        self._last: ProblemPosition | None = None
        self._listed = 0
        self._said: dict[str, Text] = {}

    def show(self, problems: Sequence[ImportProblem], warnings: Sequence[ImportProblem]) -> None:
        """Show the first page of ``problems`` (sorted into their positions) and, if it is the
        last, the warnings.
        """
        self._problems, self._warnings = ordered_problems(problems), tuple(warnings)
        self._last, self._listed = None, 0
        self._said = {}
        self.set_rows(self._next_page(), has_more=self._last_shown_is_not_last())

    def on_paged_table_more_wanted(self, event: PagedTable.MoreWanted) -> None:
        """The next page."""
        event.stop()
        self.append_rows(self._next_page(), has_more=self._last_shown_is_not_last())

    def _next_page(self) -> list[tuple[str, tuple[object, ...]]]:
        page = problems_after(self._problems, self._last, PROBLEM_PAGE)
        if page:
            self._last = page[-1].position()
        # A row's key is its place in the list: unique, as a position holds one problem.
        rows: list[tuple[str, tuple[object, ...]]] = []
        for index, problem in enumerate(page):
            key = f"p{self._listed + index}"
            rows.append((key, _problem_cells(problem)))
            self._said[key] = plain(str(problem))
        self._listed += len(page)
        if not self._last_shown_is_not_last():
            for index, warning in enumerate(self._warnings):
                rows.append((f"w{index}", _warning_cells(warning)))
                self._said[f"w{index}"] = plain(f"note: {warning}")
        return rows

    def said(self, key: str | None) -> Text:
        """The whole of the problem (or note) in row ``key``, where it is, then what is wrong."""
        return self._said.get(key or "", Text())

    def _last_shown_is_not_last(self) -> bool:
        return bool(self._problems) and self._last is not None and self._last < self._problems[-1].position()


def _problem_cells(problem: ImportProblem) -> tuple[object, ...]:
    row = problem.row if problem.row is not None else "file"
    return (row, column_text(problem), problem.reason)


def _warning_cells(warning: ImportProblem) -> tuple[object, ...]:
    note = Text("note: ", style="italic")
    note.append_text(plain(warning.reason))
    return (warning.row if warning.row is not None else "", column_text(warning), note)


class ImportSummary(Vertical):
    """Totals above a table of problems (row, column, reason) and warnings."""

    DEFAULT_CSS = """
    ImportSummary {
        height: 1fr;
    }
    ImportSummary #import-totals {
        height: auto;
        padding: 0 1;
    }
    ImportSummary ProblemTable {
        height: 1fr;
    }
    ImportSummary #problem-said {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        """Totals and problems."""
        yield Static(
            "Choose a file (o), the purchaser (p) and the payment.", id="import-totals", markup=False
        )
        yield ProblemTable(id="import-problems")
        yield Static(id="problem-said", markup=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Say the highlighted problem in full under the table (its cell may be cut short)."""
        self.query_one("#problem-said", Static).update(self.table.said(event.row_key.value))

    @property
    def table(self) -> ProblemTable:
        """The problems table."""
        return self.query_one(ProblemTable)

    def show_file(self, parsed: OrderFile, next_step: str = "choose the purchaser (p)") -> None:
        """What the reader found, before it can be priced (no purchaser or payment yet)."""
        if parsed.refused:
            self._totals(Text("The file cannot be imported:", style="bold"))
        else:
            count = len(parsed.rows)
            self._totals(plain(f"{count:,} order row{'s' if count != 1 else ''} read; {next_step}."))
        self._problems(parsed.problems, parsed.warnings)

    def show_preview(self, preview: ImportPreview) -> None:
        """The dry run's figures and problems."""
        lines = Text()
        if preview.ok:
            lines.append(f"{preview.ready:,} orders ready to import", style="bold")
        else:
            count = len(preview.problems)
            lines.append(
                f"{count:,} problem{'s' if count != 1 else ''}: nothing can be imported", style="bold"
            )
            lines.append(f" ({preview.ready:,} of {preview.orders:,} rows priced)")
        lines.append("\n")
        lines.append_text(plain(units_line(preview.units)))
        lines.append("\n")
        lines.append(
            f"Subtotal {format_money(preview.subtotal)}  Shipping {format_money(preview.shipping)}  "
            f"Tax {format_money(preview.tax)}  Total {format_money(preview.total)}"
        )
        if preview.earlier_imports:
            last = preview.earlier_imports[-1]
            lines.append("\n")
            lines.append_text(
                plain(
                    f"This file was already imported on {last.imported_at:%Y-%m-%d %H:%M} by {last.operator} "
                    f"({last.order_count:,} orders)."
                )
            )
        self._totals(lines)
        self._problems(preview.problems, preview.warnings)

    def show_problems(self, problems: Sequence[ImportProblem], headline: str) -> None:
        """Problems found when the import ran (nothing was written)."""
        self._totals(Text(headline, style="bold"))
        self._problems(problems, ())

    def _totals(self, text: Text) -> None:
        self.query_one("#import-totals", Static).update(text)

    def _problems(self, problems: Sequence[ImportProblem], warnings: Sequence[ImportProblem]) -> None:
        self.query_one("#problem-said", Static).update(Text())  # an empty table highlights nothing
        self.table.show(problems, warnings)
