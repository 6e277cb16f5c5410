"""What still stops an order, shown under the field each problem names."""

from __future__ import annotations

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Static

from oms_tui.text import safe

ROWS = ("bill_to", "ship_to", "shipping_method", "payment", "gift_message", "notes", "general")
"""The checkout's rows that can carry a problem (``general``: the order as a whole)."""

_PAYMENT_FIELDS = {"payment", "card", "card_number", "card_expiry", "card_cvv", "check_number"}


def problem_row(field: str) -> str:
    """The row a problem's field belongs to: ``ship_zip`` to ``ship_to``, ``card_number`` to
    ``payment``, ``customer`` and ``lines`` to ``general``.
    """
    if field in _PAYMENT_FIELDS:
        return "payment"
    if field.startswith("bill_"):
        return "bill_to"
    if field.startswith("ship_") and field != "shipping_method":
        return "ship_to"
    return field if field in ROWS else "general"


class ProblemLine(Static):
    """The problems of one row, literally; hidden while there are none."""

    def __init__(self, row: str) -> None:
        super().__init__("", id=f"problem-{row}", classes="field-error -empty", markup=False)

    def show(self, messages: list[str]) -> None:
        """Show ``messages`` (joined), or hide the line."""
        self.update(Text(safe("; ".join(messages))))
        self.set_class(not messages, "-empty")


def mark_problems(node: DOMNode, problems: list[tuple[str, str]]) -> None:
    """Show every (field, message) under its row in ``node``; clear the rows without one."""
    by_row: dict[str, list[str]] = {row: [] for row in ROWS}
    for field, message in problems:
        by_row[problem_row(field)].append(message)
    for line in node.query(ProblemLine):
        line.show(by_row.get((line.id or "").removeprefix("problem-"), []))
