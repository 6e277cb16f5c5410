"""Locks a process holds while it runs a batch, so a batch left ``running`` by a killed process is
seen as interrupted at once, not guessed from its age.

A run holds a shared lock for its batch from before it marks the batch running until after it marks
it finished; the operating system or the database server lets go of it when the process dies,
however it dies (``kill -9`` included). A batch stored as running whose lock nobody holds was
interrupted: its next run resumes it. Shared, so two runs of one batch (which take turns chunk by
chunk) both count.

PostgreSQL
    A session advisory lock ``(RUN_LOCK_CLASS, batch id)`` on a connection kept for the run; the
    server drops it with the connection. :func:`running_ids` reads ``pg_locks``.
SQLite
    An open-file-description byte-range lock (Linux ``F_OFD_SETLK``) on byte ``batch id`` of the
    file ``<database>-runs.lock`` beside the database; the kernel drops it with the process. Where
    such locks do not exist, every batch stored as running counts as running (as before).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from oms_core.storage.file_locks import SUPPORTED, lock_byte

RUN_LOCK_CLASS = 0x6F6D_7302
"""First key of the PostgreSQL advisory locks of batch runs ("oms" and 2)."""


@contextlib.contextmanager
def hold(engine: Engine, batch_id: int) -> Iterator[None]:
    """Hold the run lock of ``batch_id`` for the ``with`` block."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(
                text("SELECT pg_advisory_lock_shared(:cls, :id)"), {"cls": RUN_LOCK_CLASS, "id": batch_id}
            )
            connection.commit()  # the lock is the session's: it outlives this transaction
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock_shared(:cls, :id)"),
                    {"cls": RUN_LOCK_CLASS, "id": batch_id},
                )
                connection.commit()
        return
    path = _lock_file(engine)
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        lock_byte(descriptor, fcntl.F_RDLCK, batch_id, wait=True)
        yield
    finally:
        os.close(descriptor)  # drops the lock


def running_ids(connection: Connection, batch_ids: Iterable[int]) -> set[int] | None:
    """Of ``batch_ids``, those whose run lock a live process holds; ``None`` when it cannot tell."""
    wanted = sorted(set(batch_ids))
    if not wanted:
        return set()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT DISTINCT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :cls AND objsubid = 2 AND objid = ANY(:ids)"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"cls": RUN_LOCK_CLASS, "ids": wanted},
        )
        return {int(row[0]) for row in rows}
    path = _lock_file(connection.engine)
    if path is None:
        return None
    try:
        descriptor = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return set()  # no run ever held a lock here
    try:
        held = set()
        for batch_id in wanted:
            if lock_byte(descriptor, fcntl.F_WRLCK, batch_id, wait=False):
                lock_byte(descriptor, fcntl.F_UNLCK, batch_id, wait=False)
            else:
                held.add(batch_id)
        return held
    finally:
        os.close(descriptor)


def _lock_file(engine: Engine) -> Path | None:
    database = engine.url.database or ""
    if not SUPPORTED or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(f"{database}-runs.lock")
