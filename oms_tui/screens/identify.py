"""Identify (F4, New order): find the caller and attach them to the order, or create them.

Enter (or F9) on a result attaches that customer: a new draft is started for them, or, when the
screen was opened for a draft, the customer is attached to it. ctrl+n creates a customer, who is
attached automatically. Then the cart opens in this screen's place, so Esc from the cart goes
back to where the operator came from.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from oms_core.read_models import CartView, CustomerDetail
from oms_tui.shell import OmsShell, shell
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service


class IdentifyScreen(Screen[None]):
    """Who is calling? Search, then attach the highlighted customer to the order."""

    TITLE = "New order"
    BINDINGS = [
        Binding("f9", "attach", "Attach", id="attach_customer"),
        Binding("ctrl+n", "new_customer", "New customer", id="new_customer"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, draft_id: int | None = None) -> None:
        super().__init__()
        self.draft_id = draft_id
        self._attaching = False

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """A line saying what happens, the search, the keys."""
        yield Header()
        target = "the new order" if self.draft_id is None else f"draft {self.draft_id}"
        yield Static(
            f"Who is calling? Enter attaches the highlighted customer to {target}; ctrl+n creates a new one.",
            id="identify-hint",
            classes="hint",
            markup=False,
        )
        yield Static("", id="identify-error", classes="error", markup=False)
        yield CustomerSearch(id="identify-search")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Say which draft, if any, the customer goes on."""
        if self.draft_id is not None:
            self.sub_title = f"draft {self.draft_id}"
        self.query_one("#identify-error").display = False

    @on(CustomerSearch.CustomerChosen)
    def _chosen(self, event: CustomerSearch.CustomerChosen) -> None:
        event.stop()
        self.attach(event.customer_id)

    def action_attach(self) -> None:
        """F9: attach the highlighted customer."""
        self.query_one(CustomerSearch).choose()

    def action_new_customer(self) -> None:
        """Create a customer in the form; the new customer is attached at once."""
        from oms_tui.screens.customer_form import CustomerFormScreen

        def created(detail: CustomerDetail | None) -> None:
            if detail is not None:
                self.attach(detail.id)

        self.app.push_screen(CustomerFormScreen(), created)

    def action_back(self) -> None:
        """Back without attaching anyone."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.oms.open_customers()

    def attach(self, customer_id: int) -> None:
        """Start a draft for ``customer_id`` (or attach them to ours), then open the cart."""
        if self._attaching:
            return
        self._attaching = True
        cart = self.oms.services.cart
        draft_id = self.draft_id
        if draft_id is None:
            call = lambda: cart.start(customer_id)  # noqa: E731
        else:
            call = lambda: cart.attach_customer(draft_id, customer_id)  # noqa: E731
        run_service(self, call, self._attached, self._refused, group="identify-attach", hold_keys=True)

    def _attached(self, draft: CartView) -> None:
        self._attaching = False
        self.draft_id = draft.id
        # The cart takes this screen's place in the stack.
        if self.app.screen is self:
            self.app.pop_screen()
        self.oms.open_cart(draft.id)

    def _refused(self, error: Exception) -> None:
        self._attaching = False
        line = self.query_one("#identify-error", Static)
        line.update(str(error))
        line.display = True
