"""Call notes: what was said on a call, kept on the customer (and the order it was about).

A note records who wrote it, when, and its text exactly as typed (shown literally, never as
markup). Notes are added, never edited: they are the customer's story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oms_core.domain.errors import ValidationError

TEXT_MAX = 1000
"""The longest call note."""


@dataclass(frozen=True, slots=True)
class CallNote:
    """A note about a call.

    Attributes:
        id: ``None`` until stored.
        customer_id: the customer it is about (``None`` only for an order without a customer).
        order_id: the order it is about, or ``None`` for a note on the customer alone.
        author: the operator who wrote it.
        at: when.
        text: what they wrote.
    """

    id: int | None
    customer_id: int | None
    order_id: int | None
    author: str
    at: datetime
    text: str


def check_text(text: str) -> str:
    """The note's text, trimmed and checked.

    Raises:
        ValidationError: empty, longer than :data:`TEXT_MAX`, or holding control characters.
    """
    text = text.strip()
    if not text:
        raise ValidationError("write the note", field="note")
    if len(text) > TEXT_MAX or not text.isprintable():
        raise ValidationError(f"the note must be one line of at most {TEXT_MAX} characters", field="note")
    return text
