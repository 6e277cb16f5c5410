"""A modal asking a line's new price and the reason; the service decides who may give it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from oms_core.domain.errors import OmsError
from oms_core.domain.money import format_money, parse_money
from oms_core.read_models import CartView, LineView
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

Apply = Callable[[Decimal | None, str], CartView]
"""Sets the line's price (``None`` clears an override) with a reason; returns the new draft."""


class PriceOverrideScreen(ModalScreen[CartView | None]):
    """New price and reason for one line. Enter moves on; F9 applies.

    The modal stays open on a refusal (a cut that needs a supervisor, a missing reason) and shows
    the service's message as it is; it returns the new ``CartView`` once the change is saved.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="override_cancel"),
        Binding("f9", "apply", "Apply", id="override_apply"),
    ]

    CSS_PATH = STYLES / "price_override.tcss"

    def __init__(self, line: LineView, apply: Apply) -> None:
        super().__init__()
        self.line = line
        self._apply = apply
        self._busy = False

    def compose(self) -> ComposeResult:
        """What the line costs now, the two boxes and a line for refusals."""
        line = self.line
        with Vertical(classes="dialog"):
            yield Static(Text(f"Price of {safe(line.sku)}", style="bold"), classes="title")
            current = (
                f"{safe(line.name)}: list {format_money(line.unit_price)}, "
                f"now {format_money(line.effective_price)}"
            )
            yield Static(current, markup=False, classes="hint")
            with Horizontal(classes="form-row"):
                yield Label("New price")
                value = format_money(line.price_override) if line.price_override is not None else ""
                yield FormInput(value, id="override-price", placeholder="e.g. 31.50 (empty: list price)")
            with Horizontal(classes="form-row"):
                yield Label("Reason")
                yield FormInput(line.override_reason, id="override-reason", max_length=200)
            yield Static("", id="override-error", markup=False)
        yield KeyFooter()

    def action_apply(self) -> None:
        """Check the amount here, then let the service decide; close only once it is saved."""
        if self._busy:
            return
        text = self.query_one("#override-price", Input).value
        reason = self.query_one("#override-reason", Input).value
        price: Decimal | None = None
        if text.strip():
            try:
                price = parse_money(text)
            except ValueError as error:
                self._refused(str(error))
                self.query_one("#override-price", Input).focus()
                return
        self._busy = True
        apply = self._apply
        run_service(
            self, lambda: apply(price, reason), self._applied, self._failed, group="override", hold_keys=True
        )

    def _applied(self, view: CartView) -> None:
        self._busy = False
        self.dismiss(view)

    def _failed(self, error: OmsError) -> None:
        self._busy = False
        self._refused(str(error))

    def _refused(self, message: str) -> None:
        self.query_one("#override-error", Static).update(Text(safe(message)))

    def action_cancel(self) -> None:
        """Close without changing the price."""
        self.dismiss(None)
