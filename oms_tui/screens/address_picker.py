"""Choose the ship-to from the customer's address book, or ask for a one-off address."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oms_core.read_models import AddressView
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter

ONE_OFF = -1
"""Returned when the operator wants to type an address for this order only."""


class AddressPickerScreen(ModalScreen[int | None]):
    """The address book with the current ship-to highlighted; Enter picks, ``o`` types a one-off.

    Returns the chosen address id, ``ONE_OFF``, or ``None`` (Esc).
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker_cancel"),
        Binding("o", "one_off", "One-off address", id="picker_one_off"),
    ]

    CSS_PATH = STYLES / "address_picker.tcss"

    def __init__(self, addresses: tuple[AddressView, ...], current_id: int | None) -> None:
        super().__init__()
        self._addresses = addresses
        self._current_id = current_id

    def compose(self) -> ComposeResult:
        """A list of addresses, then the one-off choice."""
        with Vertical(classes="dialog"):
            yield Static("Ship to", classes="title")
            options = [Option(self._label(entry), id=str(entry.id)) for entry in self._addresses]
            options.append(
                Option(Text("Type a one-off address for this order...", style="italic"), id="one-off")
            )
            yield OptionList(*options, id="address-options")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Highlight the current ship-to (else the default shipping address)."""
        options = self.query_one(OptionList)
        wanted = self._current_id
        if wanted is None:
            wanted = next((a.id for a in self._addresses if a.is_default_shipping), None)
        index = next((i for i, a in enumerate(self._addresses) if a.id == wanted), 0)
        options.highlighted = index
        options.focus()

    @staticmethod
    def _label(entry: AddressView) -> Text:
        text = Text()
        if entry.label:
            text.append(f"{safe(entry.label)}: ", style="bold")
        text.append(safe(entry.address.one_line()))
        marks = [m for m, on in (("default ship-to", entry.is_default_shipping),) if on]
        if marks:
            text.append(f"  ({', '.join(marks)})", style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: the highlighted choice."""
        event.stop()
        option_id = event.option.id or ""
        self.dismiss(ONE_OFF if option_id == "one-off" else int(option_id))

    def action_one_off(self) -> None:
        """Type an address for this order only."""
        self.dismiss(ONE_OFF)

    def action_cancel(self) -> None:
        """Keep the ship-to as it is."""
        self.dismiss(None)
