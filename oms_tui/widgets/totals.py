"""The money of a draft (subtotal, shipping, tax, total) and its warnings, from a ``CartView``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from oms_core.domain.money import format_money
from oms_core.read_models import CartView
from oms_tui.text import safe


def totals_text(view: CartView | None) -> Text:
    """``3 items   Subtotal 80.00   Shipping 9.95   Tax 0.00   Total 89.95`` on one line (with
    ``was 75.00`` after it when the draft changes a placed order).
    """
    text = Text(no_wrap=True, overflow="ellipsis")
    if view is None:
        return text
    if view.was_total is None:  # a change shows what the total was instead (80 columns hold one)
        text.append("1 item" if view.units == 1 else f"{view.units} items", style="dim")
    for label, amount in (("Subtotal", view.subtotal), ("Shipping", view.shipping), ("Tax", view.tax)):
        text.append(f"   {label} ")
        text.append(format_money(amount))
    text.append("   Total ", style="bold")
    text.append(format_money(view.total), style="bold reverse")
    if view.was_total is not None:
        text.append(f"  was {format_money(view.was_total)}")
    if text.plain.startswith("   "):
        text = text[3:]
    return text


def warnings_text(view: CartView | None, limit: int = 3) -> Text:
    """The draft's warnings (short stock, items no longer sold, changed prices), one per line,
    literally; past ``limit`` lines the rest are counted.
    """
    text = Text()
    if view is None:
        return text
    notes = list(view.warnings)
    notes += [
        f"{line.sku}: price changed to {format_money(line.effective_price)} "
        f"(was {format_money(line.unit_price)}): {line.override_reason}"
        for line in view.lines
        if line.price_override is not None
    ]
    if len(notes) > limit:
        notes = [*notes[: limit - 1], f"... and {len(notes) - limit + 1} more"]
    for index, note in enumerate(notes):
        if index:
            text.append("\n")
        text.append("! ", style="bold")
        text.append(safe(note))
    return text


class Totals(Vertical):
    """The totals line and, under it, the warnings; both replaced from every ``CartView``."""

    DEFAULT_CSS = """
    Totals {
        height: auto;
        border-top: solid $primary;
        padding: 0 1;
    }
    Totals #totals-warnings {
        color: $warning;
        height: auto;
        max-height: 3;
    }
    Totals #totals-warnings.-empty {
        display: none;
    }
    """

    def compose(self) -> ComposeResult:
        """The totals line, then the warnings."""
        yield Static(id="totals-line", markup=False)
        yield Static(id="totals-warnings", classes="-empty", markup=False)

    def show(self, view: CartView | None) -> None:
        """Replace what is shown with ``view``."""
        self.query_one("#totals-line", Static).update(totals_text(view))
        warnings = warnings_text(view)
        box = self.query_one("#totals-warnings", Static)
        box.update(warnings)
        box.set_class(not warnings.plain, "-empty")
