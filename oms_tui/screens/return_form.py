"""A modal to record a return (RMA) and its refund: reason, what came back, where it goes, how
the money goes back.

One line per field so it fits 80x24. Each line that may still come back has a quantity box (empty:
none of it) and a box saying where it goes (``r`` back into stock, ``w`` written off). The refund
is ``card`` (to the order's captured card), ``check``, ``credit`` (store credit), ``exchange``
(store credit and a replacement draft, whose cart opens) or ``none`` (refund later); the first
letters are enough. The amount left empty is the returned goods' price and tax (and the shipping
when ``Shipping back`` is y); a lower amount may be typed, never a higher one. Enter moves on; F9
saves from any field; Esc closes without recording anything. The service checks every rule and who
may refund how much.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.money import format_money, parse_money
from oms_core.domain.orders import parse_quantity
from oms_core.domain.returns import Disposition, RefundMethod, RefundRequest, ReturnItem, ReturnReason
from oms_core.read_models import CartView, ReturnChoices, ReturnView
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.fields import FormInput
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

EXCHANGE = "exchange"
NONE = "none"
_REFUND_WORDS = ("card", "check", "credit", EXCHANGE, NONE)
_HOW = {"r": Disposition.RESTOCK, "w": Disposition.WRITE_OFF}


@dataclass(frozen=True, slots=True)
class ReturnAsked:
    """What the form read: the service call to make is chosen from ``refund``."""

    items: tuple[ReturnItem, ...]
    reason: str
    note: str
    refund: RefundRequest | None
    exchange: bool


Outcome = ReturnView | tuple[ReturnView, CartView]
Record = Callable[[ReturnAsked], Outcome]


class ReturnForm(ModalScreen[Outcome | None]):
    """Reason, a quantity and a disposition per returnable line, then the refund."""

    CSS_PATH = STYLES / "return_form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="return_cancel"),
        Binding("f9", "save", "Save return", id="return_save"),
    ]

    def __init__(self, choices: ReturnChoices, record: Record) -> None:
        super().__init__()
        self.choices = choices
        self._record = record
        self._busy = False

    def compose(self) -> ComposeResult:
        """Reason, the lines, then refund, amount, shipping back, check number and note."""
        reasons = ", ".join(reason.label for reason in ReturnReason)
        refund_default = "card" if self.choices.card else "credit"
        with Vertical(classes="dialog"):
            title = Text(f"Return from order {self.choices.order_number}", style="bold")
            if self.choices.card:
                title.append_text(plain(f"  paid by {self.choices.card}"))
            yield Static(title, classes="title")
            with Horizontal(classes="form-row"):
                yield Label("Reason")
                yield FormInput(id="return-reason", placeholder=reasons, max_length=30)
            yield Static("Coming back (quantity; r restock, w write off):", classes="hint")
            with Vertical(id="return-lines"):  # not a focus stop: Enter goes from box to box
                for index, (sku, name, units) in enumerate(self.choices.returnable):
                    with Horizontal(classes="form-row"):
                        yield Label(plain(f"up to {units}: {sku} {name}"), classes="return-item", shrink=True)
                        yield FormInput(
                            id=f"return-qty-{index}", placeholder="0", max_length=6, classes="return-qty"
                        )
                        yield FormInput("r", id=f"return-how-{index}", max_length=1, classes="return-how")
            for label, field_id, value, hint, length in (
                ("Refund", "return-refund", refund_default, "card, check, credit, exchange or none", 10),
                ("Amount", "return-amount", "", "empty: the goods' price and tax", 12),
                (
                    "Ship back",
                    "return-shipping",
                    "n",
                    f"y: add the shipping {format_money(self.choices.shipping)}",
                    1,
                ),
                ("Check no.", "return-check", "", "for a refund by check", 30),
                ("Note", "return-note", "", "what the customer said (optional)", 200),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield FormInput(value, id=field_id, placeholder=hint, max_length=length)
            yield Static("", id="return-error", markup=False)
        yield KeyFooter()

    def action_save(self) -> None:
        """Read the boxes, then let the service decide; close once the return is recorded."""
        if self._busy:
            return
        try:
            asked = self._asked()
        except ValidationError as error:
            self._refused(str(error))
            return
        self._busy = True
        record = self._record
        run_service(self, lambda: record(asked), self._recorded, self._failed, group="return", hold_keys=True)

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _asked(self) -> ReturnAsked:
        items = []
        for index, (sku, _, _units) in enumerate(self.choices.returnable):
            text = self._value(f"return-qty-{index}")
            if not text or text == "0":
                continue
            quantity = parse_quantity(text, field_name=f"quantity of {sku}")
            how = _HOW.get(self._value(f"return-how-{index}").lower())
            if how is None:
                self.query_one(f"#return-how-{index}", Input).focus()
                raise ValidationError(f"{sku}: r (restock) or w (write off)", field="disposition")
            items.append(ReturnItem(sku, quantity, how))
        if not items:
            raise ValidationError("nothing is coming back: give a quantity", field="quantity")
        word = self._refund_word()
        amount_text = self._value("return-amount")
        amount = parse_money(amount_text) if amount_text else None
        shipping = self._value("return-shipping").lower() in ("y", "yes")
        refund = None
        if word not in (NONE, EXCHANGE):
            method = {"card": RefundMethod.CARD, "check": RefundMethod.CHECK}.get(
                word, RefundMethod.STORE_CREDIT
            )
            refund = RefundRequest(method, amount, shipping, self._value("return-check"))
        return ReturnAsked(
            tuple(items), self._value("return-reason"), self._value("return-note"), refund, word == EXCHANGE
        )

    def _refund_word(self) -> str:
        typed = self._value("return-refund").lower()
        matches = [word for word in _REFUND_WORDS if typed and word.startswith(typed)]
        if len(matches) != 1:
            self.query_one("#return-refund", Input).focus()
            raise ValidationError("refund: card, check, credit, exchange or none", field="refund")
        return matches[0]

    def _recorded(self, outcome: Outcome) -> None:
        self._busy = False
        self.dismiss(outcome)

    def _failed(self, error: OmsError) -> None:
        self._busy = False
        self._refused(str(error))

    def _refused(self, message: str) -> None:
        self.query_one("#return-error", Static).update(Text(safe(message)))

    def action_cancel(self) -> None:
        """Close without recording a return."""
        self.dismiss(None)
