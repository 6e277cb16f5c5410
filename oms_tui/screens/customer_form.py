"""New customer / edit customer: a modal form returning the saved ``CustomerDetail`` (or None).

Fields are checked as they are typed, with the service's own rules, once the operator has left
them (so an email is not called wrong halfway through typing it). Leaving the email or phone
field looks for customers already on file with them; on save, a possible duplicate opens a
dialog offering the existing customer instead.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Select, Static

from oms_core.domain.customers import Address, CustomerStatus
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.read_models import CustomerDetail, CustomerSummary
from oms_core.services.contact import display_phone
from oms_core.services.customers import CreateResult, CustomerInput
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.fields import FormCheckbox, FormInput, FormSelect
from oms_tui.widgets.form import FormScreen, field_row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

TEXT_FIELDS = ("first_name", "last_name", "company", "email", "phone", "alt_phone", "notes")
ADDRESS_FIELDS = ("address1", "address2", "city", "state", "zip")
STATUSES = tuple((status.label.capitalize(), status.value) for status in CustomerStatus)


class CustomerFormScreen(FormScreen[CustomerDetail | None]):
    """Create a customer (with a first address) or edit one's own fields."""

    CSS_PATH = [STYLES / "customer_form.tcss"]

    def __init__(self, customer: CustomerDetail | None = None, book_limit: int | None = None) -> None:
        """Edit ``customer``'s contact details, or a new customer's.

        Args:
            customer: the record to edit; ``None`` for a new customer.
            book_limit: address-book entries the saved record carries back (what the screen that
                shows it draws); ``None`` for the whole book.
        """
        super().__init__()
        self.customer = customer
        self._book_limit = book_limit
        self._touched: set[str] = set()
        self._saving = False

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    @property
    def is_new(self) -> bool:
        """True when creating a customer."""
        return self.customer is None

    def compose(self) -> ComposeResult:
        """One column of labelled fields; the address block only for a new customer."""
        c = self.customer
        title = "New customer" if c is None else f"Edit customer {safe(c.number)}"
        with VerticalScroll(classes="dialog", id="customer-form"):
            yield Label(title, classes="title", markup=False)
            yield Static("", id="form-error", classes="field-error -empty", markup=False)
            yield from field_row("First name", self._input("first_name", c.first_name if c else ""))
            yield from field_row("Last name", self._input("last_name", c.last_name if c else ""))
            yield from field_row("Company", self._input("company", c.company if c else ""))
            yield from field_row("Email", self._input("email", c.email if c else ""))
            yield from field_row("Phone", self._input("phone", self._phone(c.phone) if c else ""))
            yield Static("", id="duplicates", classes="warning -empty", markup=False)
            yield from field_row("Alt phone", self._input("alt_phone", self._phone(c.alt_phone) if c else ""))
            type_code = c.type_code if c else "RETAIL"
            yield from field_row(
                "Type",
                FormSelect(
                    [(plain(c.type_name if c else "Retail"), type_code)],
                    value=type_code,
                    allow_blank=False,
                    id="type_code",
                ),
            )
            if c is not None:
                yield from field_row(
                    "Status",
                    FormSelect(STATUSES, value=c.status, allow_blank=False, id="status"),
                )
            yield from field_row(
                "Tax exempt",
                FormCheckbox("no sales tax", c.tax_exempt if c else False, compact=True, id="tax_exempt"),
            )
            yield from field_row("Notes", self._input("notes", c.notes if c else ""))
            if c is None:
                yield Label("First address (optional)", classes="section")
                yield from field_row("Address", self._input("address1", ""))
                yield from field_row("Address 2", self._input("address2", ""))
                yield from field_row("City", self._input("city", ""))
                yield from field_row("State", self._input("state", "", max_length=2))
                yield from field_row("ZIP", self._input("zip", "", max_length=10))
        yield KeyFooter()

    @staticmethod
    def _input(name: str, value: str, max_length: int = 0) -> Input:
        return FormInput(safe(value), id=name, compact=True, max_length=max_length, select_on_focus=False)

    def _phone(self, e164: str) -> str:
        return display_phone(e164, self.oms.services.context.settings.phone_region)

    def on_mount(self) -> None:
        """Load the customer types for the picker."""
        run_service(
            self,
            self.oms.services.customers.customer_types,
            self._types_loaded,
            group="customer-form-types",
        )

    def _types_loaded(self, types: list[tuple[str, str]]) -> None:
        if not types:
            return
        select = self.query_one("#type_code", Select)
        current = select.value
        select.set_options([(plain(name), code) for code, name in types])
        codes = {code for code, _ in types}
        select.value = current if current in codes else types[0][0]

    # -- reading the form ------------------------------------------------------------------------

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def form_input(self) -> CustomerInput:
        """What is typed, as the service takes it."""
        c = self.customer
        address = None
        if c is None:
            address = Address(
                address1=self._value("address1"),
                address2=self._value("address2"),
                city=self._value("city"),
                state=self._value("state"),
                zip=self._value("zip"),
            )
        status = CustomerStatus.ACTIVE.value if c is None else str(self.query_one("#status", Select).value)
        return CustomerInput(
            first_name=self._value("first_name"),
            last_name=self._value("last_name"),
            company=self._value("company"),
            email=self._value("email"),
            phone=self._value("phone"),
            alt_phone=self._value("alt_phone"),
            type_code=str(self.query_one("#type_code", Select).value),
            tax_exempt=self.query_one("#tax_exempt", FormCheckbox).value,
            notes=self._value("notes"),
            status=status,
            preferred_pickup=c.preferred_pickup if c else False,
            address=address,
        )

    def _all_names(self) -> tuple[str, ...]:
        return TEXT_FIELDS + (ADDRESS_FIELDS if self.is_new else ())

    # -- checking as typed -----------------------------------------------------------------------

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        name = event.input.id or ""
        if name not in self._all_names():
            return
        self._touched.add(name)
        self._check()
        if name in ("email", "phone"):
            self._look_for_duplicates()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if (event.input.id or "") in self._touched:
            self._check()

    def _check(self) -> None:
        data = self.form_input()
        run_service(
            self,
            lambda: self.oms.services.customers.validate(data),
            self._checked,
            group="customer-form-check",
        )

    def _checked(self, problems: list[tuple[str, str]]) -> None:
        by_field: dict[str, str] = {}
        for name, message in problems:
            by_field.setdefault(name, message)
        for name in self._all_names():
            if name in self._touched:
                self.set_error(name, by_field.get(name))

    def _look_for_duplicates(self) -> None:
        email, phone = self._value("email"), self._value("phone")
        exclude = self.customer.id if self.customer else None
        run_service(
            self,
            lambda: self.oms.services.customers.possible_duplicates(email, phone, exclude),
            self._show_duplicates,
            group="customer-form-duplicates",
        )

    def _show_duplicates(self, found: list[CustomerSummary]) -> None:
        line = self.query_one("#duplicates", Static)
        if not found:
            line.update("")
            line.add_class("-empty")
            return
        region = self.oms.services.context.settings.phone_region
        names = "; ".join(
            f"{c.number} {c.name} {c.email or display_phone(c.phone, region)}".strip() for c in found[:3]
        )
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        line.update(plain(f"On file: {names}{more}"))
        line.remove_class("-empty")

    # -- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        """F9: save (a new customer may first meet the duplicates dialog)."""
        if self._saving:
            return
        self._saving = True
        self._touched.update(self._all_names())
        self.clear_errors()
        data = self.form_input()
        customers = self.oms.services.customers
        if self.customer is None:
            run_service(
                self,
                lambda: customers.create(data),
                self._created,
                self._refused,
                group="save",
                hold_keys=True,
            )
        else:
            c, limit = self.customer, self._book_limit
            run_service(
                self,
                lambda: customers.update(c.id, c.version, data, book_limit=limit),
                self._saved,
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

    def _saved(self, detail: CustomerDetail) -> None:
        self._saving = False
        self.dismiss(detail)

    def _created(self, result: CreateResult) -> None:
        if result.customer is not None:
            self._saved(result.customer)
            return
        from oms_tui.screens.duplicates import DuplicateChoice, DuplicatesDialog

        def chosen(choice: DuplicateChoice | None) -> None:
            if choice is None:
                self._saving = False
                return
            customers = self.oms.services.customers
            if choice.customer_id is not None:
                existing = choice.customer_id
                run_service(
                    self,
                    lambda: customers.get(existing),
                    self._saved,
                    self._refused,
                    group="save",
                    hold_keys=True,
                )
            else:
                data = self.form_input()
                run_service(
                    self,
                    lambda: customers.create(data, allow_duplicate=True),
                    self._created,
                    self._refused,
                    group="save",
                    hold_keys=True,
                )

        self.app.push_screen(DuplicatesDialog(result.duplicates), chosen)
