"""Call notes: an operator writes down what a call was about, on the customer or on an order.

Each note is one short write transaction; it is kept with who wrote it and when, and listed newest
first on the Customer screen (with the notes on the customer's orders) and on the Order screen.
"""

from __future__ import annotations

from oms_core.domain.notes import CallNote, check_text
from oms_core.read_models import NoteView
from oms_core.services.context import ServiceContext
from oms_core.services.retry import retry_on_conflict

SHOWN = 50
"""How many notes a screen lists (the newest)."""


class NoteService:
    """Add and list call notes."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    @retry_on_conflict
    def add_to_customer(self, customer_id: int, text: str) -> tuple[NoteView, ...]:
        """Note a call about the customer; returns the customer's notes, newest first.

        Raises:
            ValidationError: an empty or too long note (field ``note``).
            NotFound: no such customer.
        """
        text = check_text(text)
        with self._ctx.write() as uow:
            uow.customers.get(customer_id)
            note = CallNote(None, customer_id, None, self._ctx.audit_name, self._ctx.clock.now(), text)
            uow.notes.add(note)
            notes = uow.notes.for_customer(customer_id, SHOWN)
            uow.commit()
        return _views(notes)

    @retry_on_conflict
    def add_to_order(self, order_id: int, text: str) -> tuple[NoteView, ...]:
        """Note a call about an order (it shows on its customer too); returns the order's notes.

        Raises:
            ValidationError: an empty or too long note (field ``note``).
            NotFound: no such order.
        """
        text = check_text(text)
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            now = self._ctx.clock.now()
            uow.notes.add(CallNote(None, order.customer_id, order_id, self._ctx.audit_name, now, text))
            notes = uow.notes.for_order(order_id, SHOWN)
            uow.commit()
        return _views(notes)

    def for_customer(self, customer_id: int) -> tuple[NoteView, ...]:
        """The customer's newest notes (their orders' included)."""
        with self._ctx.read() as uow:
            return _views(uow.notes.for_customer(customer_id, SHOWN))

    def for_order(self, order_id: int) -> tuple[NoteView, ...]:
        """The order's newest notes."""
        with self._ctx.read() as uow:
            return _views(uow.notes.for_order(order_id, SHOWN))


def _views(notes: list[CallNote]) -> tuple[NoteView, ...]:
    return tuple(NoteView(n.at, n.author, n.text, n.order_id) for n in notes)
