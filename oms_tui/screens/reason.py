"""Ask for a reason (cancelling an order): a one-field modal returning the text, or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label, Static

from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.form import FormScreen


class ReasonDialog(FormScreen[str | None]):
    """One line of text; F9 gives it back, Esc gives back None."""

    DEFAULT_CSS = """
    ReasonDialog #reason-dialog { height: auto; }
    ReasonDialog #reason { margin-top: 1; }
    """

    def __init__(self, title: str, prompt: str) -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt

    def compose(self) -> ComposeResult:
        """Title, prompt, the field and its error line."""
        with Vertical(classes="dialog", id="reason-dialog"):
            yield Label(self._title, classes="title", markup=False)
            yield Static(self._prompt, classes="hint", markup=False)
            yield FormInput(id="reason", classes="form-field", max_length=200)
            yield Static("", id="reason-error", classes="field-error -empty", markup=False)
        yield Footer(compact=True)

    def action_save(self) -> None:
        """Give the reason back (it may not be blank)."""
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.set_error("reason", "give a reason")
            return
        self.dismiss(reason)
