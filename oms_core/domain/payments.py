"""Payment methods and the card data that may, and may not, be kept."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class PaymentMethod(enum.StrEnum):
    """How an order is paid."""

    CARD = "card"
    CARD_ON_FILE = "card_on_file"
    CHECK = "check"
    CASH = "cash"
    ON_ACCOUNT = "on_account"

    @property
    def label(self) -> str:
        """Human name of the method."""
        return _LABELS[self]

    @property
    def uses_gateway(self) -> bool:
        """Card payments are authorised through the gateway; the others are recorded."""
        return self in (PaymentMethod.CARD, PaymentMethod.CARD_ON_FILE)


_LABELS = {
    PaymentMethod.CARD: "New card",
    PaymentMethod.CARD_ON_FILE: "Card on file",
    PaymentMethod.CHECK: "Check",
    PaymentMethod.CASH: "Cash",
    PaymentMethod.ON_ACCOUNT: "On account",
}


@dataclass(frozen=True, slots=True)
class CardEntry:
    """A card as the operator typed it. Lives only in memory, on its way to the gateway.

    The number and security code are excluded from ``repr`` so that no log line, traceback or
    crash report can show them.
    """

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvv: str = field(default="", repr=False)
    name: str = ""

    @property
    def last4(self) -> str:
        """The last four digits, the only part that may be shown again."""
        return self.number[-4:]


@dataclass(frozen=True, slots=True)
class CardToken:
    """What the gateway returns for a card: safe to store."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class PaymentChoice:
    """The payment chosen on a draft. Holds no card number: a new card is tokenised on entry.

    Attributes:
        method: the payment method.
        card: the token and display data of a card (new or on file).
        card_id: the card-on-file id, for ``CARD_ON_FILE``.
        check_number: for ``CHECK``.
    """

    method: PaymentMethod
    card: CardToken | None = None
    card_id: int | None = None
    check_number: str = ""

    def label(self) -> str:
        """``Visa ending 1111``, ``Check #1042``, ``Cash``, ``On account``."""
        if self.card is not None:
            return f"{self.card.brand} ending {self.card.last4}"
        if self.method is PaymentMethod.CHECK:
            return f"Check #{self.check_number}" if self.check_number else "Check"
        return self.method.label


class PaymentStatus(enum.StrEnum):
    """State of a recorded payment."""

    AUTHORIZED = "authorized"
    RECORDED = "recorded"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment recorded on a placed order."""

    method: PaymentMethod
    amount: Decimal
    status: PaymentStatus
    reference: str = ""
    token: str = ""
    brand: str = ""
    last4: str = ""
    exp_month: int | None = None
    exp_year: int | None = None
    check_number: str = ""


def luhn_ok(digits: str) -> bool:
    """The Luhn check every card number passes; catches most typing slips."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The card brand from the number's leading digits."""
    if digits.startswith("4"):
        return "Visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "Mastercard"
    if digits[:2] in {"34", "37"}:
        return "Amex"
    if digits.startswith("6011") or digits.startswith("65"):
        return "Discover"
    return "Card"
