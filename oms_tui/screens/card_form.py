"""Add a card on file: the number is masked once entered and cleared from the form when submitted.

Only the gateway ever sees the number and the security code; the customer's record keeps the
token, the brand, the last four digits and the expiry.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.payments import (
    CardEntry,
    card_brand,
    card_digits,
    card_number_problem,
    expiry_problem,
    parse_expiry,
    security_code_problem,
)
from oms_core.read_models import CardView, CustomerDetail
from oms_tui.shell import shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.form import FormScreen, field_row
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

CARD_FIELDS = ("card_number", "card_expiry", "card_cvv")


class CardFormScreen(FormScreen[CardView | None]):
    """A card typed by the operator, tokenised through the gateway and kept on file."""

    CSS_PATH = [STYLES / "customer_form.tcss"]

    def __init__(self, customer: CustomerDetail) -> None:
        super().__init__()
        self.customer = customer
        self._saving = False

    def compose(self) -> ComposeResult:
        """Number, expiry and security code."""
        c = self.customer
        with VerticalScroll(classes="dialog", id="card-form"):
            yield Label(f"New card for {safe(c.number)} {safe(c.name)}", classes="title", markup=False)
            yield Static("", id="form-error", classes="field-error -empty", markup=False)
            yield from field_row(
                "Card number", self._input("card_number", r"[\d ]*", 23, "digits as on the card")
            )
            yield Static("", id="card-brand", classes="hint -empty", markup=False)
            yield from field_row("Expiry", self._input("card_expiry", r"[\d/]*", 7, "MM/YY"))
            yield from field_row("Security code", self._input("card_cvv", r"\d*", 4, "3 or 4 digits", True))
        yield KeyFooter()

    @staticmethod
    def _input(name: str, restrict: str, max_length: int, placeholder: str, password: bool = False) -> Input:
        return FormInput(
            id=name,
            compact=True,
            restrict=restrict,
            max_length=max_length,
            placeholder=placeholder,
            password=password,
        )

    def _field(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    # -- masking and checking --------------------------------------------------------------------

    @on(Input.Blurred, "#card_number")
    def _number_entered(self, event: Input.Blurred) -> None:
        number = event.value
        problem = card_number_problem(number) if number else None
        self.set_error("card_number", problem)
        brand_line = self.query_one("#card-brand", Static)
        if number and problem is None:
            digits = card_digits(number)
            event.input.password = True  # masked once entered
            brand_line.update(f"{card_brand(digits)} ending {digits[-4:]}")
            brand_line.remove_class("-empty")
        else:
            brand_line.update("")
            brand_line.add_class("-empty")

    @on(Input.Changed, "#card_number")
    def _number_changed(self, event: Input.Changed) -> None:
        if not event.value:
            event.input.password = False  # retyping: show what is typed until it is left

    @on(Input.Blurred, "#card_expiry")
    def _expiry_entered(self, event: Input.Blurred) -> None:
        self.set_error("card_expiry", self._expiry_problem(event.value) if event.value else None)

    @on(Input.Blurred, "#card_cvv")
    def _cvv_entered(self, event: Input.Blurred) -> None:
        self.set_error("card_cvv", security_code_problem(event.value) if event.value else None)

    def _expiry_problem(self, text: str) -> str | None:
        try:
            month, year = parse_expiry(text)
        except ValidationError as error:
            return str(error)
        return expiry_problem(month, year, shell(self.app).services.context.clock.now().date())

    # -- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        """F9: tokenise the card and keep it on file; the number leaves the form at once."""
        if self._saving:
            return
        number, expiry_text, cvv = (self._field(name).value for name in CARD_FIELDS)
        problems = {
            "card_number": card_number_problem(number),
            "card_expiry": self._expiry_problem(expiry_text),
            "card_cvv": security_code_problem(cvv),
        }
        for name, problem in problems.items():
            self.set_error(name, problem)
        if any(problems.values()):
            self.focus_first_error()
            return
        month, year = parse_expiry(expiry_text)
        self._saving = True
        # Never keep the number or the code in a widget once submitted.
        self._field("card_number").value = ""
        self._field("card_cvv").value = ""
        entry = CardEntry(card_digits(number), month, year, cvv)
        del number, cvv
        customers = shell(self.app).services.customers
        customer_id = self.customer.id
        run_service(
            self,
            lambda: customers.add_card(customer_id, entry),
            self.dismiss,
            self._refused,
            group="save",
            hold_keys=True,
        )

    def _refused(self, error: OmsError) -> None:
        self._saving = False
        if isinstance(error, ValidationError) and error.field in CARD_FIELDS:
            self.set_error(error.field, str(error))
        else:
            self.set_error("form", str(error))
        self.query_one("#card-brand", Static).add_class("-empty")
        self._field("card_number").focus()
