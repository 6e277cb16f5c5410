"""Money as ``Decimal`` quantised to cents, stored as integer cents.

Every amount in the domain is a ``Decimal`` with two places, rounded ``ROUND_HALF_UP`` as a till
would. Storage keeps integer cents so that sums in SQL are exact on every backend.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | float) -> Decimal:
    """Return ``value`` as a Decimal quantised to cents (half-up).

    Floats are converted through ``str`` so that ``0.1`` means ten cents, not its binary neighbour.

    Raises:
        ValueError: if ``value`` is not a number.
    """
    if type(value) is Decimal:  # the hot path: pricing and totals call this for every line
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, float):
        value = str(value)
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc


def to_cents(amount: Decimal) -> int:
    """Convert an amount to integer cents, rounding half-up first."""
    if type(amount) is Decimal:  # the hot path: storage converts every amount it writes
        return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))
    return int(money(amount).scaleb(2))


def from_cents(cents: int) -> Decimal:
    """Convert integer cents back to a two-place Decimal."""
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(amount: Decimal) -> str:
    """Format an amount as ``1,234.50`` (no currency sign; the office has one currency)."""
    return f"{money(amount):,.2f}"


def parse_money(text: str) -> Decimal:
    """Parse what an operator types for an amount: ``12``, ``12.5``, ``$1,234.50``.

    Raises:
        ValueError: with a message fit to show beside the field.
    """
    cleaned = text.strip().replace("$", "").replace(",", "")
    if not cleaned:
        raise ValueError("enter an amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text.strip()!r} is not an amount") from exc
    if not amount.is_finite():
        raise ValueError(f"{text.strip()!r} is not an amount")
    if amount < 0:
        raise ValueError("the amount cannot be negative")
    return money(amount)
