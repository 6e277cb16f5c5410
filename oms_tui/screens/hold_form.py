"""A modal to hold an order: the reason (typed by its first letters, or arrows) and a note.

Enter moves on (from the reason to the note), F9 holds, Esc closes without holding anything
(the Enter rule of ``oms_tui.widgets.fields``). The service decides; a refusal is shown in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from oms_core.domain.errors import OmsError
from oms_core.domain.holds import NOTE_MAX, HoldReason
from oms_core.read_models import OrderView
from oms_tui.widgets.fields import FormInput, move_on
from oms_tui.widgets.form import FormScreen
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

Hold = Callable[[str, str], OrderView]
"""Holds the order with (reason, note) and returns it as it now is."""


class ReasonList(OptionList):
    """The hold reasons; typing the first letters of one highlights it, as the arrows do; Enter moves on."""

    BINDINGS = [Binding("enter", "done", "Next", show=False)]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(*(Option(reason.value, id=reason.value) for reason in HoldReason), **kwargs)  # type: ignore[arg-type]
        self._typed = ""

    def on_key(self, event: events.Key) -> None:
        """A letter or a space extends what was typed; the first reason starting with it is chosen."""
        if event.character is None or not event.character.isprintable() or event.key == "enter":
            return
        event.stop()
        for typed in (self._typed + event.character.lower(), event.character.lower()):
            found = next((i for i, reason in enumerate(HoldReason) if reason.value.startswith(typed)), None)
            if found is not None:
                self._typed = typed
                self.highlighted = found
                return
        self._typed = ""

    def action_done(self) -> None:
        """Enter: the reason is chosen; on to the note."""
        move_on(self)

    @property
    def reason(self) -> str:
        """The highlighted reason's code."""
        return list(HoldReason)[self.highlighted or 0].value


class HoldForm(FormScreen[OrderView | None]):
    """Reason and note; gives back the held order, or None when closed with Esc."""

    DEFAULT_CSS = """
    HoldForm #hold-dialog { height: auto; }
    HoldForm #hold-reason { height: auto; max-height: 7; margin-top: 1; }
    HoldForm #hold-note { margin-top: 1; }
    """

    def __init__(self, order: OrderView, hold: Hold) -> None:
        super().__init__()
        self.order = order
        self._hold = hold
        self._busy = False

    def compose(self) -> ComposeResult:
        """Title, the reasons, the note and the error line."""
        with Vertical(classes="dialog", id="hold-dialog"):
            yield Label(f"Hold order {self.order.number}", classes="title", markup=False)
            yield Static("Type a reason's first letters or use the arrows; F9 holds", classes="hint")
            yield ReasonList(id="hold-reason", classes="form-field")
            yield FormInput(
                id="hold-note", classes="form-field", max_length=NOTE_MAX, placeholder="note (may be empty)"
            )
            yield Static("", id="hold-error", classes="field-error -empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """The first reason starts highlighted."""
        self.query_one(ReasonList).highlighted = 0

    def action_save(self) -> None:
        """Hold the order (in a worker); stay open with the service's words if it refuses."""
        if self._busy:
            return
        self._busy = True
        reason = self.query_one(ReasonList).reason
        note = self.query_one("#hold-note", Input).value
        hold = self._hold

        def refused(error: OmsError) -> None:
            self._busy = False
            self.set_error("hold", str(error))

        call = lambda: hold(reason, note)  # noqa: E731
        run_service(self, call, self.dismiss, refused, group="hold-save", hold_keys=True)
