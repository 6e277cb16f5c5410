"""Showing text that came from customers, files or operators: literally, never as markup."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from oms_core.domain.money import format_money
from oms_core.domain.text import strip_control


def plain(value: object) -> Text:
    """``value`` as a Rich ``Text`` with control characters removed and no markup parsed.

    A customer named ``[bold]`` shows as ``[bold]``; an escape sequence shows as nothing.
    """
    return Text(strip_control("" if value is None else str(value)))


def safe(value: object) -> str:
    """``value`` as a string with control characters removed (for widgets with ``markup=False``)."""
    return strip_control("" if value is None else str(value))


def money_text(amount: Decimal | None) -> Text:
    """A right-aligned amount for tables: ``1,234.50``."""
    return Text("" if amount is None else format_money(amount), justify="right")
