"""The fields every form is made of, and the one Enter rule they all follow.

The Enter rule (also in the F1 help and the README):

- **Enter moves on** to the next field, from a text box, a checkbox or a dropdown. It never saves,
  submits or places anything: **F9** does, on every screen. Enter on the last field stays there
  and says which key saves.
- A **dropdown** opens with **space** or **alt+down**; in the open list, Enter picks the highlighted
  choice and moves on, Esc closes it. A closed dropdown is chosen by typing the first letters of
  a choice. Enter on a dropdown that has nothing chosen opens it rather than skipping it.
- Choosing never moves the cursor by itself: only Enter, Tab and shift+Tab do. (What a choice
  shows, such as the card boxes under "New card", comes next in the order.)

Keys typed ahead wait until the key before has been dealt with (``oms_tui.keyboard``), so the
rule holds however fast the operator types.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select
from textual.widgets._select import SelectOverlay

ValueT = TypeVar("ValueT")


def next_field(field: Widget) -> Widget | None:
    """The field after ``field`` in the screen's focus order, or ``None`` when it is the last."""
    chain = field.screen.focus_chain
    if field not in chain:
        return None
    focusable = set(chain)
    later = chain[chain.index(field) + 1 :]
    # A scrolling container holding fields is in the chain too; it is not a field itself.
    return next((w for w in later if not any(inner in focusable for inner in w.walk_children())), None)


def move_on(field: Widget) -> None:
    """Enter on ``field``: the cursor goes to the next field; on the last one it stays, and the
    operator is told which key saves.
    """
    if not field.is_attached:
        return
    following = next_field(field)
    if following is not None:
        following.focus()
        return
    binding = field.screen.active_bindings.get("f9")
    action = binding.binding.description if binding is not None else "saves"
    field.notify(f"That was the last field: F9 {action.lower()}", timeout=3)


def field_css(field: str, focused: str | None = None) -> str:
    """The look of a field (``field`` is its selector; ``focused`` the selector of the part
    that shows focus, ``<field>:focus`` by default): every field is underlined, and the focused
    one has a bar at each end, bold text and a tinted background. The bars and the underline
    are shapes and attributes, not colours, so the focus is unmistakable in 16 colours and with
    NO_COLOR=1 too.
    """
    focused = focused or f"{field}:focus"
    return f"""
    {field} {{
        padding: 0 1;
        text-style: underline;
        outline-left: blank;
        outline-right: blank;
    }}
    {focused} {{
        text-style: bold underline;
        background: $primary 40%;
        outline-left: outer $primary;
        outline-right: outer $primary;
    }}
    """


class FormInput(Input):
    """A text box that follows the Enter rule (it still posts ``Submitted`` for whoever listens)."""

    DEFAULT_CSS = field_css("FormInput.-textual-compact")

    async def action_submit(self) -> None:
        """Enter: tell the form the box is filled in, then move on."""
        await super().action_submit()
        move_on(self)


class FormCheckbox(Checkbox):
    """A checkbox that follows the Enter rule: space toggles, Enter moves on."""

    DEFAULT_CSS = """
    FormCheckbox.-textual-compact:focus {
        outline-left: outer $primary;
    }
    FormCheckbox.-textual-compact:focus > .toggle--label {
        text-style: bold underline;
    }
    """

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "move_on", "Next", show=False),
    ]

    def action_move_on(self) -> None:
        """Enter: the next field."""
        move_on(self)

    @property
    def _button(self) -> Content:
        # Textual shows an X either way and tells on from off by colour alone, which 16
        # colours and NO_COLOR lose: the X is there only when ticked.
        button = super()._button
        if self.value:
            return button
        blank = Content(" ", spans=button[1:2].spans)
        return Content.assemble(button[:1], blank, button[2:])


class FormSelect(Select[ValueT], Generic[ValueT], inherit_bindings=False):
    """A dropdown that follows the Enter rule: space or alt+down opens it, typing chooses,
    Enter moves on (or opens it while nothing is chosen), Enter in the open list picks and moves on.
    """

    DEFAULT_CSS = field_css(
        "FormSelect.-textual-compact > SelectCurrent", "FormSelect.-textual-compact:focus > SelectCurrent"
    )
    BINDINGS = [
        Binding("space,alt+down", "show_overlay", "Open", show=False),
        Binding("enter", "enter", "Next", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self._typed = ""

    def action_enter(self) -> None:
        """Enter on the closed dropdown: move on, or open it when nothing is chosen yet."""
        if self.is_blank():
            self.action_show_overlay()
        else:
            move_on(self)

    @on(SelectOverlay.UpdateSelection)
    def _picked(self, event: SelectOverlay.UpdateSelection) -> None:
        # Runs after Select's own handler has set the value: move on once what the choice shows
        # (the boxes under "New card") is laid out, so the next field is the right one.
        self.call_after_refresh(move_on, self)

    def _on_blur(self, event: events.Blur) -> None:
        self._typed = ""

    async def _on_key(self, event: events.Key) -> None:
        """Letters typed on the closed dropdown choose the first choice that starts with them;
        the same letter again goes to the next choice with that letter.
        """
        character = event.character
        if self.expanded or character is None or not event.is_printable or character == " ":
            return
        event.stop()
        event.prevent_default()
        letter = character.lower()
        labels = [(_label(prompt), value) for prompt, value in self._options if value is not self.NULL]

        def starting(prefix: str) -> list[Any]:
            return [value for label, value in labels if label.startswith(prefix)]

        typed = self._typed + letter
        matches = starting(typed)
        if not matches:
            # A letter pressed again ("c", "c"): the next choice starting with it.
            repeated = typed == letter * len(typed)
            typed, matches = letter, starting(letter)
            if repeated and self.value in matches:
                after = matches.index(self.value) + 1
                matches = matches[after:] + matches[:after]
        self._typed = typed if matches else ""
        if matches:
            self.value = matches[0]


def _label(prompt: object) -> str:
    return (prompt.plain if isinstance(prompt, Text) else str(prompt)).lower()
