"""The in-memory call notes used by ``tests.fakes.FakeUnitOfWork``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from oms_core.domain.notes import CallNote
from oms_core.ports import NoteRepository

if TYPE_CHECKING:
    from tests.fakes import FakeStore, FakeUnitOfWork


class FakeNoteRepository(NoteRepository):
    """Call notes (``FakeStore.call_notes``) in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data

    def add(self, note: CallNote) -> int:
        """Store the note; returns its id."""
        note_id = len(self._db.call_notes) + 1
        self._db.call_notes.append(replace(note, id=note_id))
        return note_id

    def for_customer(self, customer_id: int, limit: int) -> list[CallNote]:
        """The customer's notes, newest first."""
        return self._newest([n for n in self._db.call_notes if n.customer_id == customer_id], limit)

    def for_order(self, order_id: int, limit: int) -> list[CallNote]:
        """The order's notes, newest first."""
        return self._newest([n for n in self._db.call_notes if n.order_id == order_id], limit)

    @staticmethod
    def _newest(notes: list[CallNote], limit: int) -> list[CallNote]:
        return sorted(notes, key=lambda n: (n.at, n.id or 0), reverse=True)[:limit]
