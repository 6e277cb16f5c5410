"""A yes/no question in a modal: ``y`` answers yes, Esc or ``n`` no, Enter the focused answer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter


class AskScreen(ModalScreen[bool]):
    """Ask ``question`` (shown literally, it may name a customer); dismiss with True or False."""

    BINDINGS = [
        Binding("y,f9", "answer(True)", "Yes", id="ask_yes"),
        Binding("n,escape", "answer(False)", "No", id="ask_no"),
    ]

    CSS_PATH = STYLES / "ask.tcss"

    def __init__(
        self, title: str, question: str, yes: str = "Yes", no: str = "No", default_yes: bool = True
    ) -> None:
        super().__init__()
        self._default_yes = default_yes
        self._title = title
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        """Title, question, and the two answers; Enter presses the focused one."""
        with Vertical(classes="dialog"):
            yield Static(Text(safe(self._title), style="bold"), classes="title")
            yield Static(Text(safe(self._question)), id="ask-question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._yes} (y)", id="ask-yes", variant="primary")
                yield Button(f"{self._no} (n)", id="ask-no")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start on Yes, or on No where a slip of Enter would cost something."""
        self.query_one("#ask-yes" if self._default_yes else "#ask-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers as its key does."""
        event.stop()
        self.dismiss(event.button.id == "ask-yes")

    def action_answer(self, yes: bool) -> None:
        """Answer and close."""
        self.dismiss(yes)
