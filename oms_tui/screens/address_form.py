"""Add an address to a customer's address book (a modal returning the saved entry, ``AddressView``)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from oms_core.domain.addresses import address_problems, clean_address
from oms_core.domain.customers import Address
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.read_models import AddressView, CustomerDetail
from oms_tui.shell import shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.fields import FormCheckbox, FormInput
from oms_tui.widgets.form import FormScreen, field_row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

ADDRESS_FIELDS = ("label", "name", "company", "address1", "address2", "city", "state", "zip", "phone")


class AddressFormScreen(FormScreen[AddressView | None]):
    """A new address-book entry, checked as typed with the address rules; F9 saves it."""

    CSS_PATH = [STYLES / "customer_form.tcss"]

    def __init__(self, customer: CustomerDetail) -> None:
        super().__init__()
        self.customer = customer
        self._touched: set[str] = set()
        self._saving = False

    def compose(self) -> ComposeResult:
        """Label, name, company, street, city, state, ZIP, phone and the two defaults."""
        c = self.customer
        with VerticalScroll(classes="dialog", id="address-form"):
            yield Label(f"New address for {safe(c.number)} {safe(c.name)}", classes="title", markup=False)
            yield Static("", id="form-error", classes="field-error -empty", markup=False)
            yield from field_row("Label", self._input("label", placeholder="home, office, gift..."))
            yield from field_row("Name", self._input("name", f"{c.first_name} {c.last_name}".strip()))
            yield from field_row("Company", self._input("company", c.company))
            yield from field_row("Address", self._input("address1"))
            yield from field_row("Address 2", self._input("address2"))
            yield from field_row("City", self._input("city"))
            yield from field_row("State", self._input("state", max_length=2))
            yield from field_row("ZIP", self._input("zip", max_length=10))
            yield from field_row("Phone", self._input("phone"))
            yield from field_row(
                "Ship here", FormCheckbox("default ship-to", not c.addresses, compact=True, id="ship_default")
            )
            yield from field_row(
                "Bill here", FormCheckbox("default bill-to", not c.addresses, compact=True, id="bill_default")
            )
        yield KeyFooter()

    @staticmethod
    def _input(name: str, value: str = "", max_length: int = 0, placeholder: str = "") -> Input:
        return FormInput(
            safe(value),
            id=name,
            compact=True,
            max_length=max_length,
            placeholder=placeholder,
            select_on_focus=False,
        )

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def address(self) -> Address:
        """What is typed, as an address."""
        return Address(
            name=self._value("name"),
            company=self._value("company"),
            address1=self._value("address1"),
            address2=self._value("address2"),
            city=self._value("city"),
            state=self._value("state"),
            zip=self._value("zip"),
            phone=self._value("phone"),
        )

    # -- checking as typed -----------------------------------------------------------------------

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        if event.input.id in ADDRESS_FIELDS:
            self._touched.add(event.input.id or "")
            self._check()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id in self._touched:
            self._check()

    def _check(self) -> None:
        # The address rules are pure functions (no I/O), cheap enough to run on every key.
        problems = dict(reversed(address_problems(clean_address(self.address()))))
        for name in ADDRESS_FIELDS:
            if name in self._touched:
                self.set_error(name, problems.get(name))

    # -- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        """F9: add the address to the book."""
        if self._saving:
            return
        self._touched.update(ADDRESS_FIELDS)
        self._check()
        if address_problems(clean_address(self.address())):
            self.focus_first_error()
            return
        self._saving = True
        customers = shell(self.app).services.customers
        customer_id, address, label = self.customer.id, self.address(), self._value("label")
        ship = self.query_one("#ship_default", FormCheckbox).value
        bill = self.query_one("#bill_default", FormCheckbox).value
        run_service(
            self,
            lambda: customers.save_address(
                customer_id, address, label=label, default_billing=bill, default_shipping=ship
            ),
            self.dismiss,
            self._refused,
            group="save",
            hold_keys=True,
        )

    def _refused(self, error: OmsError) -> None:
        self._saving = False
        if isinstance(error, ValidationError):
            self.show_problems(error.problems)
            self.focus_first_error()
        else:
            self.set_error("form", str(error))
