"""The dry run of an import: how many orders, units per SKU, totals, and every problem by cell.

Problems and warnings come from the client's file, so every cell is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from oms_core.domain.imports import ImportProblem, OrderFile
from oms_core.domain.money import format_money
from oms_core.services.imports import ImportPreview
from oms_tui.text import plain

MAX_SKUS_SHOWN = 6


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
    ImportSummary DataTable {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """Totals and problems."""
        yield Static(
            "Choose a file (o), the purchaser (p) and the payment.", id="import-totals", markup=False
        )
        yield DataTable(id="import-problems", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """The problem columns."""
        table = self.query_one(DataTable)
        table.add_column("Row", key="row", width=6)
        table.add_column("Column", key="column", width=20)
        table.add_column("Problem", key="reason")

    @property
    def table(self) -> DataTable[Text]:
        """The problems table."""
        return self.query_one(DataTable)

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
            lines.append(f"{len(preview.problems):,} problems: nothing can be imported", style="bold")
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
        table = self.table
        table.clear()
        for index, problem in enumerate(problems):
            row = plain(problem.row if problem.row is not None else "file")
            table.add_row(row, plain(column_text(problem)), plain(problem.reason), key=f"p{index}")
        for index, warning in enumerate(warnings):
            row = plain(warning.row if warning.row is not None else "")
            note = Text("note: ", style="italic")
            note.append_text(plain(warning.reason))
            table.add_row(row, plain(column_text(warning)), note, key=f"w{index}")
