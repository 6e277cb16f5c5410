"""How the order is paid: the methods the customer's type allows, each card on file by name,
the boxes for a new card, and a box for a check number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from oms_core.domain.errors import ValidationError
from oms_core.domain.money import format_money
from oms_core.domain.payments import PaymentMethod
from oms_core.read_models import CartView, CustomerDetail
from oms_tui.text import safe
from oms_tui.widgets.card_fields import CardFields
from oms_tui.widgets.fields import FormInput, FormSelect

if TYPE_CHECKING:
    from oms_core.services.cart import CartService
    from oms_tui.edits import Edit

Choice = tuple[str, int | None]
"""A payment choice as the Select holds it: (method, card-on-file id)."""

_ORDER = (PaymentMethod.CARD, PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.ON_ACCOUNT)


def payment_options(detail: CustomerDetail, view: CartView) -> list[tuple[str, Choice]]:
    """The Select's options: cards on file first (the first is the default), then the rest."""
    allowed = set(detail.payment_methods)
    options: list[tuple[str, Choice]] = []
    if PaymentMethod.CARD_ON_FILE.value in allowed:
        options += [(safe(card.label), (PaymentMethod.CARD_ON_FILE.value, card.id)) for card in detail.cards]
    for method in _ORDER:
        if method.value not in allowed:
            continue
        label = method.label
        if method is PaymentMethod.CARD and view.payment_method == method.value:
            label = f"New card: {safe(view.payment_label)}"
        options.append((label, (method.value, None)))
    if detail.store_credit > 0 or view.payment_method == PaymentMethod.STORE_CREDIT.value:
        label = f"{PaymentMethod.STORE_CREDIT.label} (balance {format_money(detail.store_credit)})"
        options.append((label, (PaymentMethod.STORE_CREDIT.value, None)))
    return options


def current_choice(view: CartView) -> Choice | None:
    """The draft's payment as a Select value."""
    if view.payment_method is None:
        return None
    if view.payment_method == PaymentMethod.CARD_ON_FILE.value:
        return (view.payment_method, view.card_id)
    return (view.payment_method, None)


class PaymentChooser(Vertical):
    """The payment Select, with the card boxes or the check box under it when they are chosen."""

    DEFAULT_CSS = """
    PaymentChooser {
        height: auto;
    }
    PaymentChooser #payment-note, PaymentChooser #card-fields, PaymentChooser #check-row {
        height: auto;
        padding: 0 0 0 17;
    }
    PaymentChooser #check-row Input {
        width: 20;
    }
    PaymentChooser .-hidden {
        display: none;
    }
    """

    @dataclass
    class Chosen(Message):
        """A method that needs nothing typed was chosen (card on file, cash, on account)."""

        chooser: PaymentChooser
        method: str
        card_id: int | None

    class CardEntered(Message):
        """The new card's boxes are filled in (Enter in the last one)."""

    @dataclass
    class CheckEntered(Message):
        """A check number was typed (Enter, or the cursor left the box)."""

        chooser: PaymentChooser
        number: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: CartView | None = None

    def compose(self) -> ComposeResult:
        """Select, then the note and the boxes (hidden until wanted)."""
        with Horizontal(classes="co-row"):
            yield Label("Payment", classes="co-label")
            yield FormSelect[Choice]([], id="payment-method", prompt="choose how to pay")
        yield Static("", id="payment-note", classes="-hidden", markup=False)
        yield CardFields(id="card-fields", classes="-hidden")
        with Horizontal(id="check-row", classes="-hidden"):
            yield Label("Check #", classes="co-label")
            yield FormInput(id="check-number", max_length=30, compact=True)

    @property
    def select(self) -> Select[Choice]:
        """The method Select."""
        return self.query_one("#payment-method", Select)

    @property
    def card(self) -> CardFields:
        """The new card's boxes."""
        return self.query_one(CardFields)

    @property
    def selected(self) -> Choice | None:
        """What the Select shows (may differ from the draft until it is saved)."""
        value = self.select.value
        return None if value is Select.NULL else value  # type: ignore[return-value]

    @property
    def check_number(self) -> str:
        """The check number as typed."""
        return self.query_one("#check-number", Input).value.strip()

    def show(self, detail: CustomerDetail, view: CartView, keep_check_number: bool = False) -> None:
        """Offer the customer's methods and show the draft's payment, without posting anything.

        Args:
            detail: the customer, for the methods and cards on offer.
            view: the draft.
            keep_check_number: leave the check box as typed (a save of it is still waiting).
        """
        # A choice the operator made but has not finished (a card half typed) survives a reload.
        keep = self.selected if self._view is not None and self.unsaved(self._view) else None
        self._view = view
        select = self.select
        options = payment_options(detail, view)
        values = [value for _, value in options]
        with select.prevent(Select.Changed):
            select.set_options(options)
            choice = keep if keep in values else current_choice(view)
            if choice in values:
                select.value = choice
        if view.payment_method == PaymentMethod.CHECK.value:
            check = self.query_one("#check-number", Input)
            if not check.has_focus and not keep_check_number:
                check.value = view.payment_label.removeprefix("Check #").removeprefix("Check")
        self._arrange()

    def unsaved(self, view: CartView) -> bool:
        """True when the chooser shows something the draft does not have yet."""
        chosen = self.selected
        if chosen is None:
            return False
        if chosen[0] == PaymentMethod.CARD.value:
            return self.card.typed or view.payment_method != PaymentMethod.CARD.value
        if chosen[0] == PaymentMethod.CHECK.value:
            saved = view.payment_label.removeprefix("Check #") if view.payment_method == "check" else None
            return saved != self.check_number
        return chosen != current_choice(view)

    def pending_edit(self, cart: CartService, draft_id: int, view: CartView) -> Edit | None:
        """The service call that saves what the chooser shows (``None`` when the draft has it).

        Raises:
            ValidationError: something still to type (``card_number``, ``card_expiry``,
                ``check_number``).
        """
        chosen = self.selected
        if chosen is None or not self.unsaved(view):
            return None
        method, card_id = chosen
        if method == PaymentMethod.CARD.value:
            if not self.card.typed:
                raise ValidationError("type the card number", field="card_number")
            card = self.card.read()
            return lambda version: cart.set_payment(draft_id, method, card=card, version=version)
        if method == PaymentMethod.CHECK.value:
            number = self.check_number
            if not number:
                raise ValidationError("enter the check number", field="check_number")
            return lambda version: cart.set_payment(draft_id, method, check_number=number, version=version)
        return lambda version: cart.set_payment(draft_id, method, card_id=card_id, version=version)

    def focus_problem(self, field: str | None) -> None:
        """Cursor to the box a payment problem names."""
        if field == "check_number":
            self.query_one("#check-number", Input).focus()
        elif field and field.startswith("card_"):
            self.card.focus_field(field)
        else:
            self.select.focus()

    def _arrange(self) -> None:
        chosen = self.selected
        method = chosen[0] if chosen else None
        view = self._view
        note = self.query_one("#payment-note", Static)
        text = ""
        if method == PaymentMethod.CARD.value:
            if view is not None and view.payment_method == PaymentMethod.CARD.value:
                text = "Type another card here to replace it."
            else:
                text = "Type the card: number, Enter, expiry MM/YY, Enter, code, Enter."
        note.update(Text(text))
        note.set_class(not text, "-hidden")
        self.card.set_class(method != PaymentMethod.CARD.value, "-hidden")
        self.query_one("#check-row").set_class(method != PaymentMethod.CHECK.value, "-hidden")

    @on(Select.Changed, "#payment-method")
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        self._arrange()
        chosen = self.selected
        if chosen is None:
            return
        # The cursor stays on the dropdown (Enter moves on: to the card or check boxes shown
        # under it when those are chosen).
        method, card_id = chosen
        if method == PaymentMethod.CARD.value:
            return
        self.card.clear()  # a card half typed, then another choice: the number goes
        if method != PaymentMethod.CHECK.value:
            self.post_message(self.Chosen(self, method, card_id))

    @on(CardFields.Entered)
    def _card_entered(self, event: CardFields.Entered) -> None:
        event.stop()
        self.post_message(self.CardEntered())

    @on(Input.Submitted, "#check-number")
    def _check_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.CheckEntered(self, self.check_number))

    @on(Input.Blurred, "#check-number")
    def _check_left(self, event: Input.Blurred) -> None:
        event.stop()
        if self._view is not None and self.unsaved(self._view) and self.check_number:
            self.post_message(self.CheckEntered(self, self.check_number))
