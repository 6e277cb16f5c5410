"""Form building blocks: labelled rows with an error line, and the modal form screen.

A form screen subclasses ``FormScreen`` and implements ``action_save`` (F9); its fields are the
widgets of ``oms_tui.widgets.fields``, which follow the Enter rule written there (Enter moves on,
F9 saves), and carry the class ``form-field`` when laid out with ``field_row``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter

ResultT = TypeVar("ResultT")


def field_row(label: str, field: Widget, name: str | None = None) -> Iterator[Widget]:
    """A label and its field on one row, then the field's (hidden) error line.

    The error line's id is ``<name>-error``; ``name`` defaults to the field's id.
    """
    name = name or field.id or ""
    field.add_class("form-field")
    yield Horizontal(Label(label, classes="field-label"), field, classes="form-row", id=f"{name}-row")
    yield Static("", id=f"{name}-error", classes="field-error -empty", markup=False)


class FormScreen(ModalScreen[ResultT]):
    """A modal form: Enter moves on (see ``fields``), F9 saves, Esc cancels."""

    AUTO_FOCUS = ".form-field"
    BINDINGS = [
        Binding("f9", "save", "Save", id="save"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    # -- errors --------------------------------------------------------------------------------

    def set_error(self, name: str, message: str | None) -> bool:
        """Show (or clear, with ``None``) the error under field ``name``; False if no such field."""
        found = self.query(f"#{name}-error")
        if not found:
            return False
        line = found.first(Static)
        line.update(safe(message or ""))
        line.set_class(not message, "-empty")
        return True

    def clear_errors(self, names: Iterable[str] | None = None) -> None:
        """Hide the error lines of ``names`` (all when ``None``), and the form's general error."""
        for line in self.query(".field-error").results(Static):
            if names is None or (line.id or "").removesuffix("-error") in set(names):
                line.update("")
                line.add_class("-empty")

    def show_problems(self, problems: Iterable[tuple[str, str]], general: str = "form") -> None:
        """Show each (field, message) under its field; messages for unknown fields go to
        the general error line ``#<general>-error``.
        """
        leftovers: list[str] = []
        for name, message in problems:
            if not self.set_error(name, message):
                leftovers.append(message)
        if leftovers:
            self.set_error(general, "; ".join(leftovers))

    def fields(self) -> list[Widget]:
        """The form's fields in order (hidden or disabled ones left out)."""
        return [
            widget
            for widget in self.query(".form-field")
            if widget.display and not widget.disabled and widget.can_focus
        ]

    def focus_first_error(self) -> None:
        """Put the cursor in the first field that shows an error."""
        for field in self.fields():
            name = field.id or ""
            found = self.query(f"#{name}-error")
            if found and not found.first().has_class("-empty"):
                field.focus()
                return

    def on_mount(self) -> None:
        """Remember what the boxes held when the form opened (to tell whether Esc loses typing)."""
        self._opened_with = self._box_values()

    def _box_values(self) -> dict[str, str]:
        return {box.id or "": box.value for box in self.query(Input)}

    def action_cancel(self) -> None:
        """Esc: close without saving; if anything was typed, ask first (one key: y discards)."""
        if self._box_values() == getattr(self, "_opened_with", self._box_values()):
            self.dismiss(None)
            return
        self.app.push_screen(DiscardTyping(), lambda discard: self.dismiss(None) if discard else None)

    def action_save(self) -> None:
        """Save the form (each form implements it)."""
        raise NotImplementedError


class DiscardTyping(ModalScreen[bool]):
    """Esc on a form with something typed: y discards it, n or Esc goes back to the form."""

    DEFAULT_CSS = """
    DiscardTyping { align: center middle; }
    DiscardTyping > Static { width: 50; height: auto; padding: 1 2; border: heavy $warning; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Discard", id="discard_yes"),
        Binding("n,escape", "answer(False)", "Keep typing", id="discard_no"),
    ]

    def compose(self) -> ComposeResult:
        """The question and the two keys."""
        yield Static(
            "Discard what you typed?\n\ny  discard it and close the form\nn  keep typing", markup=False
        )
        yield KeyFooter()

    def action_answer(self, discard: bool) -> None:
        """Answer and close."""
        self.dismiss(discard)
