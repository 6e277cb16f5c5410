"""A modal for an address typed for one order (a ship-to or bill-to that is not in the book).

Enter moves to the next box; F9 saves. The service checks the address;
its problems are shown beside the boxes they name and the modal stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from oms_core.domain.customers import Address
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.read_models import CartView
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

Save = Callable[[Address], CartView]
"""Saves the address on the draft; returns the new draft."""

BOXES = (
    ("name", "Name"),
    ("company", "Company"),
    ("address1", "Address"),
    ("address2", "Address 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("phone", "Phone"),
)


class OneOffAddressScreen(ModalScreen[CartView | None]):
    """Type an address; returns the draft as saved with it, or ``None`` (Esc)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="address_cancel"),
        Binding("f9", "save", "Save", id="address_save"),
    ]

    CSS_PATH = STYLES / "one_off_address.tcss"

    def __init__(self, title: str, initial: Address | None, save: Save) -> None:
        super().__init__()
        self._title = title
        self._initial = initial or Address()
        self._save = save
        self._busy = False

    def compose(self) -> ComposeResult:
        """A box per address field, each with a line for its problem."""
        with VerticalScroll(classes="dialog"):
            yield Static(Text(safe(self._title), style="bold"), classes="title")
            for name, label in BOXES:
                with Horizontal(classes="address-row"):
                    yield Label(label)
                    yield FormInput(
                        safe(getattr(self._initial, name)),
                        id=f"address-{name}",
                        max_length=200,
                        compact=True,
                    )
                yield Static("", id=f"address-{name}-error", classes="address-error -empty", markup=False)
            yield Static("", id="address-message", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Cursor in the first box."""
        self.query_one("#address-name", Input).focus()

    def _typed(self) -> Address:
        values = {name: self.query_one(f"#address-{name}", Input).value for name, _ in BOXES}
        known = {f.name for f in fields(Address)}
        return replace(self._initial, **{k: v for k, v in values.items() if k in known})

    def action_save(self) -> None:
        """Let the service check and save the address; close once saved."""
        if self._busy:
            return
        self._busy = True
        address, save = self._typed(), self._save
        run_service(self, lambda: save(address), self._saved, self._refused, group="address", hold_keys=True)

    def _saved(self, view: CartView) -> None:
        self._busy = False
        self.dismiss(view)

    def _refused(self, error: OmsError) -> None:
        self._busy = False
        for name, _ in BOXES:
            self._problem(name, "")
        shown = False
        problems = error.problems if isinstance(error, ValidationError) else []
        first = None
        for field_name, message in problems:
            box = field_name.removeprefix("ship_").removeprefix("bill_")
            if any(box == name for name, _ in BOXES):
                self._problem(box, message)
                first = first or box
                shown = True
        self.query_one("#address-message", Static).update("" if shown else Text(safe(str(error))))
        if first:
            self.query_one(f"#address-{first}", Input).focus()

    def _problem(self, name: str, message: str) -> None:
        line = self.query_one(f"#address-{name}-error", Static)
        line.update(Text(safe(message)))
        line.set_class(not message, "-empty")

    def action_cancel(self) -> None:
        """Close without changing the address."""
        self.dismiss(None)
