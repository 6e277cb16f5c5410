"""Whole numbers typed by people (command-line arguments, order numbers): read and bounded in one place.

A number beyond what the databases hold must be a clear "too large", not an ``OverflowError`` from the
driver, and a count beyond what a run can do must be refused before it starts.
"""

from __future__ import annotations

from oms_core.domain.errors import ValidationError

LARGEST_ID = 2**63 - 1
"""The largest id or order number the databases hold (a signed 64-bit integer)."""

_MAX_DIGITS = len(str(LARGEST_ID)) + 10
"""Longer text is "too large" without being converted (Python refuses very long ints anyway)."""


def whole_number(text: str, low: int, high: int, what: str | None = None) -> int:
    """``text`` as a whole number from ``low`` to ``high``; ``1_000`` and ``1,000`` are allowed.

    Args:
        text: what was typed.
        low: the smallest value allowed.
        high: the largest value allowed.
        what: the field the number is for (the error's ``field``).

    Raises:
        ValidationError: saying what is wrong with ``text`` (and the range, when out of it).
    """
    cleaned = text.strip().replace("_", "").replace(",", "")
    digits = cleaned[1:] if cleaned[:1] in ("-", "+") else cleaned
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValidationError(f"{text.strip()!r} is not a whole number", field=what)
    if len(digits) > _MAX_DIGITS:
        value = -LARGEST_ID * 10 if cleaned.startswith("-") else LARGEST_ID * 10  # beyond either end
    else:
        value = int(cleaned)
    if value > high:
        raise ValidationError(f"{text.strip()} is too large (at most {high:,})", field=what)
    if value < low:
        raise ValidationError(f"{text.strip()} is too small (at least {low:,})", field=what)
    return value
