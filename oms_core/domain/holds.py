"""Order holds: an order kept from the warehouse until someone allowed to releases it.

An operator holds a placed (or released, not yet shipped) order with a reason code and an optional
note; a held order is neither released to the warehouse nor shipped. Who may release a hold depends
on its reason: a payment review needs a supervisor, the other reasons any operator. What a hold
stops (and which orders can be held) is decided with the rest of the order's life after the sale,
in :mod:`oms_core.domain.fulfilment`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from oms_core.domain.errors import ValidationError
from oms_core.domain.operators import Role

NOTE_MAX = 200
"""The longest hold note (one line: it is shown on the Order screen and in the audit trail)."""


class HoldReason(enum.StrEnum):
    """Why an order is held; the value is what the office reads."""

    ADDRESS_CHECK = "address check"
    PAYMENT_REVIEW = "payment review"
    CUSTOMER_REQUEST = "customer request"
    FUTURE_SHIP_DATE = "ship date in the future"
    WEATHER = "weather"

    @property
    def releaser(self) -> Role:
        """The least role that may release a hold for this reason."""
        return Role.SUPERVISOR if self is HoldReason.PAYMENT_REVIEW else Role.OPERATOR


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold on an order.

    Attributes:
        reason: the reason code.
        note: the operator's note (may be empty), shown literally.
        placed_by: who placed it.
        placed_at: when.
    """

    reason: HoldReason
    note: str
    placed_by: str
    placed_at: datetime

    def describe(self) -> str:
        """One line: the reason, the note if any, who and when."""
        note = f": {self.note}" if self.note else ""
        return f"{self.reason.value}{note} (by {self.placed_by}, {self.placed_at:%Y-%m-%d %H:%M})"


def parse_reason(text: str) -> HoldReason:
    """The reason code named by ``text`` (its value, its name, or the first letters of its value).

    Raises:
        ValidationError: naming the field and the codes there are.
    """
    wanted = text.strip().lower().replace("_", " ")
    if wanted:
        matches = [reason for reason in HoldReason if reason.value.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
    codes = ", ".join(reason.value for reason in HoldReason)
    raise ValidationError(f"{text.strip()!r} is not a hold reason ({codes})", field="reason")


def check_note(note: str) -> str:
    """The hold note, trimmed and checked.

    Raises:
        ValidationError: longer than :data:`NOTE_MAX` or not one printable line.
    """
    note = note.strip()
    if len(note) > NOTE_MAX or not note.isprintable():
        raise ValidationError(f"the note must be one line of at most {NOTE_MAX} characters", field="note")
    return note
