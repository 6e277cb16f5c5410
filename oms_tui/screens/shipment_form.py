"""A modal to record a shipment by hand: carrier, service, tracking number and what went in the box.

Every line left to ship has its quantity filled in with all that is left, so the usual case (the
whole order in one box) is the carrier, the tracking number and F9. Enter moves on; F9 saves from
any field; Esc closes without recording anything.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.orders import parse_quantity
from oms_core.read_models import OrderView, ShipmentView
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.order_shipments import left_to_ship
from oms_tui.work import run_service

Record = Callable[[ShipRequest], ShipmentView]


class ShipmentForm(ModalScreen[ShipmentView | None]):
    """Carrier, service, tracking number, and a quantity per line left to ship."""

    CSS_PATH = STYLES / "shipment_form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="shipment_cancel"),
        Binding("f9", "save", "Save shipment", id="shipment_save"),
    ]

    def __init__(self, order: OrderView, record: Record) -> None:
        super().__init__()
        self.order = order
        self._left = left_to_ship(order)
        self._record = record
        self._busy = False

    def compose(self) -> ComposeResult:
        """The three carrier fields, then one quantity per line left to ship."""
        with Vertical(classes="dialog"):
            yield Static(Text(f"Ship order {self.order.number}", style="bold"), classes="title")
            for label, field_id, hint in (
                ("Carrier", "ship-carrier", "UPS, FedEx, USPS..."),
                ("Service", "ship-service", "e.g. Ground (may be empty)"),
                ("Tracking", "ship-tracking", "the carrier's number (may be empty)"),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield FormInput(id=field_id, placeholder=hint, max_length=60)
            yield Static("In the box (all that is left, unless you change it):", classes="hint")
            with Vertical(id="ship-lines"):  # not a focus stop: Enter goes from box to box
                for index, (sku, name, units) in enumerate(self._left):
                    with Horizontal(classes="form-row"):
                        yield Label(plain(f"{sku} {name}"), classes="ship-item", shrink=True)
                        yield FormInput(
                            str(units),
                            id=f"ship-qty-{index}",
                            max_length=6,
                        )
            yield Static("", id="ship-error", markup=False)
        yield KeyFooter()

    def action_save(self) -> None:
        """Read the boxes, then let the service decide; close once the shipment is recorded."""
        if self._busy:
            return
        try:
            request = self._request()
        except ValidationError as error:
            self._refused(str(error))
            return
        self._busy = True
        record = self._record
        run_service(self, lambda: record(request), self._recorded, self._failed, group="ship", hold_keys=True)

    def _request(self) -> ShipRequest:
        items: list[tuple[str, int | None]] = []
        whole = True
        for index, (sku, _, units) in enumerate(self._left):
            box = self.query_one(f"#ship-qty-{index}", Input)
            text = box.value.strip() or "0"
            quantity = 0 if text == "0" else parse_quantity(text, field_name=f"quantity of {sku}")
            if quantity > units:
                box.focus()
                raise ValidationError(f"only {units} of {sku} left to ship", field="quantity")
            whole = whole and quantity == units
            if quantity:
                items.append((sku, quantity))
        if not items:
            raise ValidationError("nothing in the box: give a quantity", field="quantity")
        return ShipRequest(
            carrier=self.query_one("#ship-carrier", Input).value,
            service=self.query_one("#ship-service", Input).value,
            tracking_number=self.query_one("#ship-tracking", Input).value,
            items=() if whole else tuple(items),
        )

    def _recorded(self, shipment: ShipmentView) -> None:
        self._busy = False
        self.dismiss(shipment)

    def _failed(self, error: OmsError) -> None:
        self._busy = False
        self._refused(str(error))

    def _refused(self, message: str) -> None:
        self.query_one("#ship-error", Static).update(Text(safe(message)))

    def action_cancel(self) -> None:
        """Close without recording a shipment."""
        self.dismiss(None)
