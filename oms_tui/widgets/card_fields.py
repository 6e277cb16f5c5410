"""The boxes for a card read out over the phone: number, expiry (MM/YY) and security code.

The number and code live only in these boxes until the gateway tokenises them; the owner calls
``clear()`` as soon as that is done. Nothing here logs, and no message carries card data.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from oms_core.domain.errors import ValidationError
from oms_core.domain.payments import CardEntry, card_digits, parse_expiry
from oms_tui.widgets.fields import FormInput


class CardFields(Horizontal):
    """Number, expiry and code in one row. Enter moves on; Enter in the code also posts ``Entered``."""

    DEFAULT_CSS = """
    CardFields {
        height: auto;
    }
    CardFields Label {
        padding: 0 1;
        color: $text-muted;
    }
    CardFields #card-number {
        width: 1fr;
        max-width: 26;
    }
    CardFields #card-expiry {
        width: 7;
    }
    CardFields #card-cvv {
        width: 6;
    }
    """

    class Entered(Message):
        """Enter in the last box: the card is typed (read it with ``read()``)."""

    def compose(self) -> ComposeResult:
        """The three boxes, compact so the checkout fits 80x24."""
        yield FormInput(
            id="card-number",
            placeholder="card number",
            restrict=r"[0-9 ]{0,23}",
            max_length=23,
            compact=True,
        )
        yield Label("Exp")
        yield FormInput(
            id="card-expiry", placeholder="MM/YY", restrict=r"[0-9/]{0,7}", max_length=7, compact=True
        )
        yield Label("Code")
        yield FormInput(
            id="card-cvv",
            restrict=r"[0-9]{0,4}",
            max_length=4,
            password=True,
            compact=True,
        )

    @property
    def typed(self) -> bool:
        """True when anything is in the boxes."""
        return any(box.value for box in self.query(Input))

    def read(self) -> CardEntry:
        """The card as typed (checked enough to send; the gateway checks the rest).

        Raises:
            ValidationError: naming the box (``card_number``, ``card_expiry``).
        """
        number = card_digits(self.query_one("#card-number", Input).value)
        if not number:
            raise ValidationError("enter the card number", field="card_number")
        month, year = parse_expiry(self.query_one("#card-expiry", Input).value)
        return CardEntry(number, month, year, self.query_one("#card-cvv", Input).value)

    def clear(self) -> None:
        """Empty every box (right after the card was tokenised, or when it is not wanted)."""
        for box in self.query(Input):
            box.value = ""

    def focus_first(self) -> None:
        """Cursor to the number."""
        self.query_one("#card-number", Input).focus()

    def focus_field(self, field: str | None) -> None:
        """Cursor to the box a problem names (``card_number``, ``card_expiry``, ``card_cvv``)."""
        box = {"card_expiry": "#card-expiry", "card_cvv": "#card-cvv"}.get(field or "", "#card-number")
        self.query_one(box, Input).focus()

    @on(Input.Changed)
    def _keep_to_ourselves(self, event: Input.Changed) -> None:
        # The number goes nowhere but the gateway: no handler above sees it typed.
        event.stop()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        # Enter in the number and expiry has already moved on (FormInput); the code is the last.
        event.stop()
        if event.input.id == "card-cvv":
            self.post_message(self.Entered())
