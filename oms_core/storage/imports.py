"""Imported spreadsheets, remembered by content hash (the ``import_files`` table)."""

from __future__ import annotations

from sqlalchemy import insert, select

from oms_core.domain.imports import ImportFileRecord
from oms_core.ports import ImportFileRepository
from oms_core.storage._common import Repository
from oms_core.storage.tables import import_files

f = import_files.c


class SqlImportFileRepository(Repository, ImportFileRepository):
    """The ``import_files`` table on SQLAlchemy Core."""

    def find(self, content_hash: str) -> list[ImportFileRecord]:
        """Earlier imports of the file with this content hash, oldest first."""
        rows = self._conn.execute(
            select(import_files).where(f.content_hash == content_hash).order_by(f.imported_at, f.id)
        )
        return [
            ImportFileRecord(
                row.content_hash,
                row.filename,
                row.purchaser_id,
                row.operator,
                row.order_count,
                row.imported_at,
            )
            for row in rows
        ]

    def add(self, record: ImportFileRecord) -> None:
        """Insert the record."""
        self._conn.execute(
            insert(import_files).values(
                content_hash=record.content_hash,
                filename=record.filename[:500],
                purchaser_id=record.purchaser_id,
                operator=record.operator,
                order_count=record.order_count,
                imported_at=record.imported_at,
            )
        )
