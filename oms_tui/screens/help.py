"""F1: the keys, the two ways to place an order, and the Enter rule."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from oms_tui.command_table import GLOBAL_COMMANDS
from oms_tui.widgets.key_footer import KeyFooter

# Keys every screen binds for itself (the global commands come from the command table).
SCREEN_KEYS = (
    ("F9", "the screen's main action (attach, checkout, place order, save)"),
    ("Esc", "back / cancel"),
    ("ctrl+p", "command palette: go to customer `C000123`, order `1042`, resume a draft"),
)


def key_table() -> str:
    """The help's key table: the global commands, then the keys each screen gives its own meaning."""
    rows = sorted(
        [(command.key_label, command.help) for command in GLOBAL_COMMANDS] + list(SCREEN_KEYS), key=_key_order
    )
    return "\n".join(["| Key | Anywhere |", "|---|---|", *(f"| **{key}** | {text} |" for key, text in rows)])


def _key_order(row: tuple[str, str]) -> tuple[int, int, str]:
    # F1..F12 in number order, then Esc, then the ctrl keys.
    key = row[0]
    if key.startswith("F") and key[1:].isdigit():
        return (0, int(key[1:]), "")
    return (1, 0, "") if key == "Esc" else (2, 0, key)


HELP = (
    "# oms keys\n\n"
    + key_table()
    + """

## The Enter rule (every form)
**Enter moves to the next field; F9 saves, submits or places the order.** Enter never saves: on
the last field it stays and says so. Tab and shift+Tab also move between fields. A **dropdown**
opens with **space** or **alt+down**; in the list Enter picks and moves on, Esc closes it; on a
closed dropdown, type the first letters of a choice. Keys typed ahead are never lost: each waits
until the screen has caught up. In a search box, Enter opens the highlighted result.

## Two ways to place an order
1. **From the customer:** F2, type a name / company / email / phone / number, Enter opens the
   record, **o** places an order, add items, F9 checkout, F9 place.
2. **From the orders:** F4, search and **Enter** (or F9) attaches the highlighted customer, or
   **ctrl+n** creates a new one (attached automatically); add items, F9, F9.

## Cart
Type a SKU (or part of a product name) and Enter, then the quantity and Enter. **+ / -** change
the highlighted line's quantity (or type it and **Enter**), **Delete** removes it (**ctrl+z** puts
it back, as it was, until the next change), **p** overrides
its price (with a reason), **shift+Tab** goes back to the SKU box, **ctrl+o** (or **q** on the lines)
opens the Quick Order Pad. Every change is saved at once: if the
connection drops, F5 finds the draft where you left it.

## Quick Order Pad
One item a line: `SKU 3`, `SKU x3`, `3 SKU`, or cells pasted from a spreadsheet (a header row is
fine). Each line is checked as you type; **F9** adds every good line and leaves the others to fix.

## Bulk order (F6) and club shipments (F7)
**n** makes one. In a bulk order **a**, **t** and **v** add customers (search, a whole type, a
pasted list of numbers or emails); **i** items, **m** shipping, **p** preview. **F9** places the
orders, **s** stops part-way, F9 again goes on (never a second order for anyone), **f** lists
those not placed, **e** exports the results to .xlsx.
"""
)


class HelpScreen(ModalScreen[None]):
    """The keys, shown over the current screen."""

    BINDINGS = [Binding("escape,f1,q", "dismiss_help", "Close", id="close_help")]

    def compose(self) -> ComposeResult:
        """A scrollable page of Markdown."""
        with VerticalScroll(classes="dialog", id="help-body"):
            yield Markdown(HELP)
        yield KeyFooter()

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)
