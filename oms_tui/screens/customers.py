"""Customers (F2), the first screen: find the caller, open the record, or create a new customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from oms_tui.shell import OmsShell, shell
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:  # the first screen: the read models load with the services, behind it
    from oms_core.read_models import CustomerDetail


class CustomersScreen(Screen[None]):
    """Search-as-you-type over customers; Enter opens the record, ctrl+n creates one."""

    TITLE = "Customers"
    BINDINGS = [
        Binding("f9", "open", "Open", id="open_customer"),
        Binding("ctrl+n", "new_customer", "New customer", id="new_customer"),
    ]

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Header, the search widget, Footer."""
        yield Header()
        yield CustomerSearch(id="customers-search")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        """Coming back from a record: show the rows as they are now."""
        self.query_one(CustomerSearch).refresh_results()

    @on(CustomerSearch.CustomerChosen)
    def _chosen(self, event: CustomerSearch.CustomerChosen) -> None:
        self.oms.open_customer(event.customer_id)

    def action_open(self) -> None:
        """Open the highlighted customer's record."""
        self.query_one(CustomerSearch).choose()

    def action_new_customer(self) -> None:
        """Create a customer, then open the new record."""
        from oms_tui.screens.customer_form import CustomerFormScreen

        def created(detail: CustomerDetail | None) -> None:
            if detail is not None:
                self.oms.open_customer(detail.id)

        self.app.push_screen(CustomerFormScreen(), created)
