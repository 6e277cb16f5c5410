"""Form building blocks: labelled rows with an error line, and the Enter rule.

The Enter rule (written in the help screen): Enter moves to the next field; on the last field,
and anywhere with F9, it saves. Tab and shift+Tab move too. A form screen subclasses
``FormScreen`` and implements ``action_save``; its fields carry the class ``form-field``.

Enter is a priority binding so that the move happens when the key is read, not when the field
gets round to it: an operator typing ahead ("Eve", Enter, "Adams") over a slow link must see
"Adams" land in the next field, not in the one they just left.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from textual import on
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from oms_tui.text import safe

ResultT = TypeVar("ResultT")


@dataclass
class FieldDone(Message):
    """Enter was pressed on a field that is not an Input (a checkbox, a select)."""

    field: Widget


class FormCheckbox(Checkbox):
    """A checkbox that follows the Enter rule: Space toggles, Enter moves on."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "done", "Next", show=False),
    ]

    def action_done(self) -> None:
        """Tell the form that this field is done."""
        self.post_message(FieldDone(self))


def field_row(label: str, field: Widget, name: str | None = None) -> Iterator[Widget]:
    """A label and its field on one row, then the field's (hidden) error line.

    The error line's id is ``<name>-error``; ``name`` defaults to the field's id.
    """
    name = name or field.id or ""
    field.add_class("form-field")
    yield Horizontal(Label(label, classes="field-label"), field, classes="form-row", id=f"{name}-row")
    yield Static("", id=f"{name}-error", classes="field-error -empty", markup=False)


class FormScreen(ModalScreen[ResultT]):
    """A modal form: Enter moves on, Enter on the last field or F9 saves, Esc cancels."""

    AUTO_FOCUS = ".form-field"
    BINDINGS = [
        Binding("enter", "next_field", "Next", show=False, priority=True),
        Binding("f9", "save", "Save", id="save"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    # -- the Enter rule ------------------------------------------------------------------------

    def fields(self) -> list[Widget]:
        """The form's fields in order (hidden or disabled ones left out)."""
        return [
            widget
            for widget in self.query(".form-field")
            if widget.display and not widget.disabled and widget.can_focus
        ]

    def action_next_field(self) -> None:
        """Enter: move to the next field at once; on the last field, let the field submit.

        A closed list (Select) opens on Enter, and anything that is not a field keeps its own
        Enter; both are left alone.
        """
        focused = self.focused
        fields = self.fields()
        if focused is None or focused not in fields or isinstance(focused, Select):
            raise SkipAction()
        if focused is fields[-1] and isinstance(focused, Input):
            raise SkipAction()  # the Input submits after its pending keys: see _input_submitted
        self.field_done(focused)

    def field_done(self, field: Widget) -> None:
        """Enter on ``field``: the next field, or save when it is the last one."""
        fields = self.fields()
        if fields and field is fields[-1]:
            self.action_save()
        else:
            self.focus_next()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        if event.input.has_class("form-field"):
            event.stop()
            self.field_done(event.input)

    @on(FieldDone)
    def _field_done(self, event: FieldDone) -> None:
        event.stop()
        self.field_done(event.field)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        # Enter on an open list picks a value: that is the field's Enter, so move on.
        if event.select.has_class("form-field") and event.select.has_focus:
            self.field_done(event.select)

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

    def focus_first_error(self) -> None:
        """Put the cursor in the first field that shows an error."""
        for field in self.fields():
            name = field.id or ""
            found = self.query(f"#{name}-error")
            if found and not found.first().has_class("-empty"):
                field.focus()
                return

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Save the form (each form implements it)."""
        raise NotImplementedError
