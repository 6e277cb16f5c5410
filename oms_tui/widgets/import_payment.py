"""How the purchaser pays for an imported file, and whether as one payment or one per order.

The methods offered are those the purchaser's customer type allows: each card on file, a new card
(typed in the boxes, tokenised at once, then the boxes are cleared), a check (with its number),
cash, on account. Every choice is checked by the import service; the widget posts ``Chosen`` with
the resulting payment (a token, never a card number) or shows why it was refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.payments import PaymentChoice, PaymentMethod
from oms_core.read_models import CustomerDetail
from oms_tui.shell import shell
from oms_tui.text import safe
from oms_tui.widgets.card_fields import CardFields
from oms_tui.widgets.fields import FormInput, FormSelect
from oms_tui.work import run_service

Choice = tuple[str, int | None]
"""(method, card-on-file id) as the Select holds it."""

_OTHERS = (PaymentMethod.CARD, PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.ON_ACCOUNT)
MODES: list[tuple[str, bool]] = [("One payment for the whole file", True), ("One payment per order", False)]


def payment_options(detail: CustomerDetail) -> list[tuple[str, Choice]]:
    """Cards on file first (the first is the default), then the other methods the type allows."""
    allowed = set(detail.payment_methods)
    options: list[tuple[str, Choice]] = []
    if PaymentMethod.CARD_ON_FILE.value in allowed:
        options += [(safe(card.label), (PaymentMethod.CARD_ON_FILE.value, card.id)) for card in detail.cards]
    for method in _OTHERS:
        if method.value in allowed:
            options.append((method.label, (method.value, None)))
    return options


class ImportPayment(Vertical):
    """The method Select, the new-card or check boxes when wanted, and the one/per-order Select."""

    DEFAULT_CSS = """
    ImportPayment {
        height: auto;
    }
    ImportPayment > Horizontal {
        height: auto;
    }
    ImportPayment #import-card, ImportPayment #import-check-row {
        height: auto;
        padding: 0 0 0 12;
    }
    ImportPayment #import-check-row Input {
        width: 20;
    }
    ImportPayment #import-payment-note {
        height: auto;
        padding: 0 0 0 12;
        color: $text-muted;
    }
    ImportPayment .-hidden {
        display: none;
    }
    """

    @dataclass
    class Chosen(Message):
        """The payment changed (``None`` while it is incomplete or was refused)."""

        widget: ImportPayment
        payment: PaymentChoice | None
        one_payment: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.purchaser_id: int | None = None
        self.payment: PaymentChoice | None = None

    def compose(self) -> ComposeResult:
        """Method, boxes, note, mode."""
        with Horizontal():
            yield Label("Payment", classes="import-label")
            yield FormSelect[Choice]([], id="import-method", prompt="choose the purchaser first")
        yield CardFields(id="import-card", classes="-hidden")
        with Horizontal(id="import-check-row", classes="-hidden"):
            yield Label("Check #")
            yield FormInput(id="import-check", max_length=30, compact=True)
        yield Static("", id="import-payment-note", markup=False)
        with Horizontal():
            yield Label("Charge", classes="import-label")
            yield FormSelect[bool](MODES, id="import-mode", value=True, allow_blank=False)

    @property
    def one_payment(self) -> bool:
        """One payment for the whole file (else one per order)."""
        return bool(self.query_one("#import-mode", Select).value)

    @property
    def method(self) -> Select[Choice]:
        """The method Select."""
        return self.query_one("#import-method", Select)

    def set_purchaser(self, detail: CustomerDetail) -> None:
        """Offer the purchaser's methods and choose the first (their first card, usually)."""
        self.purchaser_id = detail.id
        options = payment_options(detail)
        self._set_payment(None)
        select = self.method
        with select.prevent(Select.Changed):
            select.set_options(options)
        if options:
            select.value = options[0][1]  # posts Changed, which chooses it
        else:
            self._note(f"{safe(detail.name)} has no payment method allowed")

    # -- events ---------------------------------------------------------------------------------

    @on(Select.Changed, "#import-method")
    def _method_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        card = self.query_one(CardFields)
        check = self.query_one("#import-check-row")
        if value is Select.NULL:
            return
        method, card_id = cast(Choice, value)
        card.set_class(method != PaymentMethod.CARD.value, "-hidden")
        check.set_class(method != PaymentMethod.CHECK.value, "-hidden")
        self._set_payment(None)
        if method == PaymentMethod.CARD.value:
            self._note("Enter, then type the card: number, expiry, code, Enter.")
        elif method == PaymentMethod.CHECK.value:
            self._note("Enter, then type the check number and Enter.")
        else:
            self._choose(method, card_id=card_id)

    @on(Select.Changed, "#import-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Chosen(self, self.payment, self.one_payment))

    @on(CardFields.Entered)
    def _card_entered(self, event: CardFields.Entered) -> None:
        event.stop()
        try:
            card = self.query_one(CardFields).read()
        except ValidationError as exc:
            self._note(str(exc))
            return
        self._choose(PaymentMethod.CARD.value, card=card)

    @on(Input.Submitted, "#import-check")
    def _check_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(PaymentMethod.CHECK.value, check_number=event.value)

    # -- choosing -------------------------------------------------------------------------------

    def _choose(self, method: str, **details: object) -> None:
        purchaser = self.purchaser_id
        if purchaser is None:
            return
        imports = shell(self.app).services.imports
        self._note("Checking the payment…")

        def call() -> PaymentChoice:
            return imports.choose_payment(purchaser, method, **details)  # type: ignore[arg-type]

        run_service(self, call, self._chosen, self._refused, group="import-payment")

    def _chosen(self, payment: PaymentChoice) -> None:
        if payment.method is PaymentMethod.CARD:
            self.query_one(CardFields).clear()
            self._note(f"New card: {safe(payment.label())} (the number is not kept)")
        else:
            self._note(safe(payment.label()))
        self._set_payment(payment)

    def _refused(self, error: OmsError) -> None:
        self._note(str(error))
        self._set_payment(None)

    def _set_payment(self, payment: PaymentChoice | None) -> None:
        self.payment = payment
        self.post_message(self.Chosen(self, payment, self.one_payment))

    def _note(self, text: str) -> None:
        self.query_one("#import-payment-note", Static).update(text)
