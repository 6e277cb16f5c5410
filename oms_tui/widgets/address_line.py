"""An address, on one line where it fits, that can take the focus: Enter asks to change it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from oms_core.domain.customers import Address
from oms_tui.text import safe
from oms_tui.widgets.fields import field_css


class AddressLine(Static, can_focus=True):
    """Shows an address literally; Enter (or space) posts ``ChangeAsked``."""

    BINDINGS = [Binding("enter,space", "change", "Change address", id="address_change")]

    # Wrapped, not cut: a company and a suite do not fit 80 columns, and what was cut was the
    # state and ZIP, which the operator reads back to the caller.
    DEFAULT_CSS = """
    AddressLine {
        width: 1fr;
        height: auto;
        max-height: 3;
    }
    """ + field_css("AddressLine")

    @dataclass
    class ChangeAsked(Message):
        """The operator wants to change this address."""

        line: AddressLine

    def __init__(self, empty: str, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._empty = empty

    def show(self, address: Address | None, note: str = "") -> None:
        """Show ``address`` (or the empty text), with a dim ``note`` after it."""
        text = Text(overflow="fold")
        if address is None or address.is_blank():
            text.append(self._empty, style="italic")
        else:
            text.append(safe(address.one_line()))
        if note:
            text.append(f"  {note}", style="dim")
        self.update(text)

    def action_change(self) -> None:
        """Ask the screen to change the address."""
        self.post_message(self.ChangeAsked(self))
