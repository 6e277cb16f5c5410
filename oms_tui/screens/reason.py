"""Ask for one line of text (why an order is cancelled, a call note): a modal returning it, or None."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from oms_core.read_models import NoteView
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.form import FormScreen
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service


class ReasonDialog(FormScreen[str | None]):
    """One line of text; F9 gives it back, Esc gives back None."""

    DEFAULT_CSS = """
    ReasonDialog #reason-dialog { height: auto; }
    ReasonDialog #reason { margin-top: 1; }
    """

    def __init__(self, title: str, prompt: str, required: str = "give a reason") -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt
        self._required = required

    def compose(self) -> ComposeResult:
        """Title, prompt, the field and its error line."""
        with Vertical(classes="dialog", id="reason-dialog"):
            yield Label(self._title, classes="title", markup=False)
            yield Static(self._prompt, classes="hint", markup=False)
            yield FormInput(id="reason", classes="form-field", max_length=200)
            yield Static("", id="reason-error", classes="field-error -empty", markup=False)
        yield KeyFooter()

    def action_save(self) -> None:
        """Give the reason back (it may not be blank)."""
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.set_error("reason", self._required)
            return
        self.dismiss(reason)


AddNote = Callable[[str], tuple[NoteView, ...]]
"""Adds a call note with this text and returns the record's notes as they now are."""


def ask_for_note(
    screen: Screen[object], title: str, add: AddNote, done: Callable[[tuple[NoteView, ...]], None]
) -> None:
    """Ask for the note's text, add it off the UI thread, then ``done(notes)``."""

    def written(text: str | None) -> None:
        if text:
            run_service(screen, lambda: add(text), done, group="call-note")

    screen.app.push_screen(
        ReasonDialog(title, "What was the call about? (who and when are kept)", "write the note"), written
    )
