"""Picking the customers of a bulk order: from search results, by customer type, or a pasted list.

* ``CustomerPickScreen``: the customer search; Enter adds the highlighted customer to the batch and
  the search stays open for the next one. Esc closes; it returns how many were added.
* ``TypePickScreen``: a list of customer types; Enter returns the type's code.
* ``PasteListScreen``: a text area for customer numbers and emails (any mix, pasted from anywhere);
  F9 returns the text.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from oms_core.domain.errors import OmsError
from oms_core.services.bulk import MembersAdded
from oms_tui.shell import shell
from oms_tui.text import safe
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

_DIALOG_CSS = """
{name} > .dialog {{
    width: 100%;
    height: 100%;
    padding: 0 1;
}}
{name} .pick-status {{
    height: 1;
}}
"""


class CustomerPickScreen(ModalScreen[int | None]):
    """Search and add customers one at a time."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="CustomerPickScreen")
    BINDINGS = [
        Binding("f9", "add", "Add highlighted", id="pick_add"),
        Binding("escape", "close", "Done", id="pick_done"),
    ]

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.added = 0

    def compose(self) -> ComposeResult:
        """Title, the search, a status line."""
        with Vertical(classes="dialog"):
            yield Static("Add customers: Enter adds the highlighted one", classes="title", markup=False)
            yield CustomerSearch()
            yield Static("", classes="pick-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start in the search box."""
        self.query_one(CustomerSearch).focus_query()

    def on_customer_search_customer_chosen(self, event: CustomerSearch.CustomerChosen) -> None:
        """Add the chosen customer; stay for the next."""
        event.stop()
        customer = event.customer
        bulk = shell(self.app).services.bulk

        def added(result: MembersAdded) -> None:
            self.added += result.added
            what = "added" if result.added else "already in the batch"
            self._say(f"{customer.number} {safe(customer.name)}: {what} ({self.added} added so far)")

        run_service(self, lambda: bulk.add_customers(self.batch_id, [customer.id]), added, self._failed)

    def action_add(self) -> None:
        """F9: add the highlighted customer."""
        self.query_one(CustomerSearch).choose()

    def _failed(self, error: OmsError) -> None:
        self._say(str(error))

    def _say(self, text: str) -> None:
        self.query_one(".pick-status", Static).update(Text(safe(text)))

    def action_close(self) -> None:
        """Back to the batch."""
        self.dismiss(self.added)


class TypePickScreen(ModalScreen[str | None]):
    """Choose a customer type; its active customers are added."""

    DEFAULT_CSS = """
    TypePickScreen > .dialog { width: 50; height: auto; }
    TypePickScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "close", "Cancel", id="type_cancel")]

    def __init__(self, types: list[tuple[str, str]]) -> None:
        super().__init__()
        self._types = types

    def compose(self) -> ComposeResult:
        """The types, one per line."""
        with Vertical(classes="dialog"):
            yield Static("Add every active customer of a type", classes="title", markup=False)
            yield OptionList(
                *[Option(Text(f"{safe(name)} ({safe(code)})"), id=code) for code, name in self._types]
            )
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: this type."""
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Close without adding."""
        self.dismiss(None)


class PasteListScreen(ModalScreen[str | None]):
    """Customer numbers and emails, one or many a line; F9 adds them."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="PasteListScreen")
        + """
    PasteListScreen TextArea { height: 1fr; }
    """
    )
    BINDINGS = [
        Binding("f9", "add", "Add them", id="paste_add"),
        Binding("escape", "close", "Cancel", id="paste_cancel"),
    ]

    def compose(self) -> ComposeResult:
        """A hint and the text area."""
        with Vertical(classes="dialog"):
            yield Static(
                "Paste customer numbers or emails (C000123, ann@example.com)", classes="title", markup=False
            )
            yield TextArea(soft_wrap=False, show_line_numbers=True, tab_behavior="focus", id="paste-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Ready to paste."""
        self.query_one(TextArea).focus()

    def action_add(self) -> None:
        """Give the text back."""
        text = self.query_one(TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_close(self) -> None:
        """Close without adding."""
        self.dismiss(None)
