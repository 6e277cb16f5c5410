"""Call notes on SQLAlchemy Core."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from oms_core.domain.notes import CallNote
from oms_core.ports import NoteRepository
from oms_core.storage._common import Repository
from oms_core.storage.tables import call_notes

n = call_notes.c


class SqlNoteRepository(Repository, NoteRepository):
    """Call notes, newest first, read through ``ix_call_notes_customer``/``ix_call_notes_order``."""

    def add(self, note: CallNote) -> int:
        """Store the note; returns its id."""
        values = {
            "customer_id": note.customer_id,
            "order_id": note.order_id,
            "author": note.author,
            "at": note.at,
            "text": note.text,
        }
        return int(self._conn.execute(insert(call_notes).values(values).returning(n.id)).scalar_one())

    def for_customer(self, customer_id: int, limit: int) -> list[CallNote]:
        """The customer's notes (their orders' too), newest first."""
        query = select(call_notes).where(n.customer_id == customer_id)
        return self._notes(query.order_by(n.at.desc(), n.id.desc()).limit(limit))

    def for_order(self, order_id: int, limit: int) -> list[CallNote]:
        """The order's notes, newest first."""
        query = select(call_notes).where(n.order_id == order_id)
        return self._notes(query.order_by(n.at.desc(), n.id.desc()).limit(limit))

    def _notes(self, query: Any) -> list[CallNote]:
        return [
            CallNote(row.id, row.customer_id, row.order_id, row.author, row.at, row.text)
            for row in self._conn.execute(query)
        ]
