"""Showing text that came from customers, files or operators: literally, never as markup."""

from __future__ import annotations

import re
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


# "... 2017 (375 ml)": a vintage, then a bottle size in brackets, at the end of a product's name.
_VINTAGE_AND_SIZE = re.compile(r"\s+(?P<vintage>(?:18|19|20)\d{2})?\s*(?:\((?P<size>[^()]*)\))?\s*$")
_MIN_HEAD = 4


def product_name(name: str, width: int) -> Text:
    """A product's name in ``width`` cells, literally. When it does not fit, the vintage and the
    bottle size at its end stay (``Bellwether Es… 2017 375ml``): two bottlings of one wine
    differ only there. The rest is cut with an ellipsis.
    """
    text = plain(name)
    if text.cell_len <= width:
        return text
    found = _VINTAGE_AND_SIZE.search(text.plain)
    tail = ""
    if found is not None and (found["vintage"] or found["size"]):
        size = (found["size"] or "").replace(" ", "")
        tail = " ".join(part for part in (found["vintage"], size) if part)
    head = text[: found.start()] if tail and found is not None else text
    if not tail or width - len(tail) - 1 < _MIN_HEAD:
        text.truncate(width, overflow="ellipsis")
        return text
    head.truncate(width - len(tail) - 1, overflow="ellipsis")
    return Text.assemble(head, " ", tail)
