"""Payment methods and the card data that may, and may not, be kept."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from oms_core.domain.errors import ValidationError

CARD_DIGITS_MIN = 13
CARD_DIGITS_MAX = 19


class PaymentMethod(enum.StrEnum):
    """How an order is paid."""

    CARD = "card"
    CARD_ON_FILE = "card_on_file"
    CHECK = "check"
    CASH = "cash"
    ON_ACCOUNT = "on_account"
    STORE_CREDIT = "store_credit"  # the customer's store credit (refunds, exchanges), spent at placing

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
    PaymentMethod.STORE_CREDIT: "Store credit",
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
    CAPTURED = "captured"
    RECORDED = "recorded"
    VOIDED = "voided"
    REFUNDED = "refunded"


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


def card_digits(number: str) -> str:
    """The digits of a card number as typed (spaces and dashes dropped)."""
    return "".join(ch for ch in number if ch.isdigit())


def card_number_problem(number: str) -> str | None:
    """Why a typed card number cannot be right (length, Luhn check), or ``None``."""
    digits = card_digits(number)
    if not digits:
        return "card number is required"
    if not CARD_DIGITS_MIN <= len(digits) <= CARD_DIGITS_MAX or not luhn_ok(digits):
        return "card number is not valid (check the digits)"
    return None


def parse_expiry(text: str) -> tuple[int, int]:
    """``04/28``, ``0428``, ``4/28`` or ``04/2028`` as (month, year).

    Raises:
        ValidationError: on field ``card_expiry``.
    """
    cleaned = text.strip().replace(" ", "")
    if "/" in cleaned:
        month_text, _, year_text = cleaned.partition("/")
    elif len(cleaned) == 4 and cleaned.isdigit():
        month_text, year_text = cleaned[:2], cleaned[2:]
    else:
        raise ValidationError("expiry as MM/YY", field="card_expiry")
    if not (month_text.isdigit() and year_text.isdigit() and len(year_text) in (2, 4)):
        raise ValidationError("expiry as MM/YY", field="card_expiry")
    month, year = int(month_text), int(year_text)
    if not 1 <= month <= 12:
        raise ValidationError("expiry month must be 01 to 12", field="card_expiry")
    return month, (2000 + year if year < 100 else year)


def expiry_problem(month: int, year: int, today: date) -> str | None:
    """Why a card's expiry is not acceptable on ``today`` (bad month, expired), or ``None``."""
    if not 1 <= month <= 12:
        return "expiry month must be 01 to 12"
    if (year, month) < (today.year, today.month):
        return "the card has expired"
    return None


def security_code_problem(code: str) -> str | None:
    """Why a typed security code is wrong (it is optional: empty is fine), or ``None``."""
    if code and (not code.isdigit() or len(code) not in (3, 4)):
        return "security code must be 3 or 4 digits"
    return None


def card_problems(card: CardEntry, today: date) -> list[tuple[str, str]]:
    """Every (field, message) wrong with a typed card: number, expiry, security code."""
    problems = []
    for field_name, problem in (
        ("card_number", card_number_problem(card.number)),
        ("card_expiry", expiry_problem(card.exp_month, card.exp_year, today)),
        ("card_cvv", security_code_problem(card.cvv)),
    ):
        if problem:
            problems.append((field_name, problem))
    return problems
