"""Who pays for an imported file: the customer search in a modal, returning the chosen customer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from oms_core.read_models import CustomerSummary
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.key_footer import KeyFooter


class PurchaserPicker(ModalScreen[CustomerSummary | None]):
    """Search, then Enter (or F9) on a result chooses the purchaser; Esc chooses nobody."""

    BINDINGS = [
        Binding("f9", "choose", "Choose", id="choose_purchaser"),
        Binding("escape", "cancel", "Cancel", id="cancel_purchaser"),
    ]

    # By id, not ``> Vertical``: the key footer is a Vertical too, and took the box's border and height.
    DEFAULT_CSS = """
    PurchaserPicker > #purchaser-box {
        width: 96%;
        height: 90%;
        border: round $primary;
        background: $surface;
    }
    """

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self._query = query

    def compose(self) -> ComposeResult:
        """A title line, the search, the keys."""
        with Vertical(id="purchaser-box"):
            yield Static("Who pays for the file? (the purchaser is billed for every order)", classes="title")
            yield CustomerSearch(self._query, id="purchaser-search")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Cursor in the search box."""
        self.query_one(CustomerSearch).focus_query()

    @on(CustomerSearch.CustomerChosen)
    def _chosen(self, event: CustomerSearch.CustomerChosen) -> None:
        event.stop()
        self.dismiss(event.customer)

    def action_choose(self) -> None:
        """F9: the highlighted customer."""
        self.query_one(CustomerSearch).choose()

    def action_cancel(self) -> None:
        """Esc: nobody."""
        self.dismiss(None)
