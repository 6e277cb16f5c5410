"""After placing: the order number, large, and the keys for the next call.

The confirmation replaces the checkout and the cart (and the Identify screen under them), so Esc
never walks back into an order that is already placed.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Static

from oms_core.domain.money import format_money
from oms_core.read_models import OrderView
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter

ORDER_FLOW = ("CheckoutScreen", "CartScreen", "IdentifyScreen")
"""Screens of an order in progress, by class name (Identify belongs to another module)."""


def show_confirmation(app: App[object], order: OrderView) -> None:
    """Replace the order-in-progress screens on top of the stack with the confirmation."""
    flow = 0
    for screen in reversed(app.screen_stack[1:]):
        if type(screen).__name__ not in ORDER_FLOW:
            break
        flow += 1
    for _ in range(flow - 1):
        app.pop_screen()
    confirmation = ConfirmationScreen(order)
    if flow:
        app.switch_screen(confirmation)
    else:
        app.push_screen(confirmation)


class ConfirmationScreen(Screen[None]):
    """The placed order's number, total and customer. Enter or ``n``: next order."""

    CSS_PATH = STYLES / "confirmation.tcss"
    BINDINGS = [
        Binding("n,enter", "next_order", "Next order", id="confirm_next"),
        Binding("c", "customer", "Back to customer", id="confirm_customer"),
        Binding("escape", "back", "Back", id="confirm_back"),
    ]

    def __init__(self, order: OrderView) -> None:
        super().__init__()
        self.order = order

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Number, total, customer, payment, and what the keys do."""
        order = self.order
        with Vertical(id="confirm-box"):
            yield Static("Order placed", id="confirm-title")
            with Center():
                yield Digits(str(order.number or ""), id="confirm-number")
            yield Static(self._summary(), id="confirm-summary", markup=False)
            yield Static(self._keys(), id="confirm-keys", markup=False)
        yield KeyFooter()

    def _summary(self) -> Text:
        order = self.order
        text = Text(justify="center")
        text.append(f"Order {order.number}", style="bold")
        if order.customer is not None:
            text.append(f"  for {safe(order.customer.name)}  {safe(order.customer.number)}")
        text.append("\nTotal ")
        text.append(format_money(order.total), style="bold")
        for payment in order.payments:
            text.append(f"   {safe(payment.label)}")
        lines = len(order.lines)
        text.append(f"   {lines} line{'s' if lines != 1 else ''}", style="dim")
        return text

    def _keys(self) -> Text:
        text = Text(justify="center", style="dim")
        text.append("Enter or n: next order")
        if self.order.customer is not None:
            text.append(f"    c: back to {safe(self.order.customer.name)}")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``c`` only when the order has a customer."""
        if action == "customer":
            return self.order.customer is not None
        return True

    def action_next_order(self) -> None:
        """Find (or create) the next caller."""
        self.app.pop_screen()
        self.oms.open_identify()

    def action_customer(self) -> None:
        """Back to the customer's record, freshly loaded (it now lists this order)."""
        if self.order.customer is None:
            return
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 2 else None
        self.app.pop_screen()
        if type(below).__name__ == "CustomerScreen":
            self.app.pop_screen()
        self.oms.open_customer(self.order.customer.id)

    def action_back(self) -> None:
        """Esc: back to where the order was started."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
