"""Dates as operators type them: ``11/28/2026``, ``11/28/26``, ``11/28``, ``today``, ``+3``.

One parser for every date an operator types (a ship date, the order list's from / to) so each
field takes the same forms; ISO ``2026-11-28`` still works. Relative forms count from ``today``,
which the caller passes (the office's clock), so nothing here reads the system time.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

DATE_FORMS = "11/28/2026, 11/28, today or +3"
"""How to tell an operator which dates they may type."""

_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_OFFSET = re.compile(r"^([+-])\s*(\d{1,4})$")
_US = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_typed_date(text: str, today: date) -> date:
    """The date ``text`` names, as an operator in a US office types it.

    ``11/28/2026`` and ``11/28/26`` (month first), ``11/28`` (this year), ``today``,
    ``tomorrow``, ``yesterday``, ``+3`` / ``-3`` (days from today) and ISO ``2026-11-28``.

    Raises:
        ValueError: ``text`` is none of those, or names no real day (``2/30``); the message
            says what may be typed.
    """
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _WORDS:
        return today + timedelta(days=_WORDS[cleaned])
    offset = _OFFSET.match(cleaned)
    if offset:
        days = int(offset.group(2))
        return today + timedelta(days=days if offset.group(1) == "+" else -days)
    try:
        if _ISO.match(cleaned):
            year, month, day = (int(part) for part in cleaned.split("-"))
            return date(year, month, day)
        us = _US.match(cleaned)
        if us:
            month, day = int(us.group(1)), int(us.group(2))
            year_text = us.group(3)
            year = today.year if year_text is None else int(year_text)
            if year_text is not None and len(year_text) == 2:
                year += 2000
            return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a day on the calendar") from None
    raise ValueError(f"{text.strip()!r} is not a date: type {DATE_FORMS}")
