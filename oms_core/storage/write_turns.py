"""Whose turn it is to write a SQLite database: writers waiting for the lock are seen by the others.

SQLite lets one writer in at a time and tells nobody who is waiting: a writer blocked on the lock
sleeps and tries again (every 8 ms at most: :func:`oms_core.storage.database._begin_immediate`). A
batch run that commits a chunk and at once begins the next would win the lock again and again
while an operator's edit keeps missing it. So every write transaction marks itself as waiting
while it asks for the lock (a shared lock on byte 0 of ``<database>-writers.lock``, taken before
``BEGIN IMMEDIATE`` and dropped as soon as the lock is granted), and a batch run, between its
transactions, gives way only while someone is
marked: no pause at all when nobody waits, and never longer than it is told.

The marks are open-file-description locks (:mod:`oms_core.storage.file_locks`): the kernel drops
them when the process dies, however it dies. Where they do not exist, or for an in-memory database,
nobody can be seen waiting and :meth:`WriteTurns.make_way` pauses the whole time it is given, as a
fixed gap between chunks did before. Writers outside oms (the ``sqlite3`` shell) are not seen.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator

from oms_core.storage.file_locks import SUPPORTED, held_elsewhere, lock_byte

POLL_SECONDS = 0.002
"""How often a run giving way looks again whether writers are still waiting."""

_WAITING = 0
"""The byte a waiting writer holds a shared lock on."""


class WriteTurns:
    """The waiting marks of one SQLite database file.

    Args:
        database: the database file's path; ``None`` or empty for an in-memory database.
    """

    def __init__(self, database: str | None) -> None:
        usable = SUPPORTED and database and database != ":memory:" and not database.startswith("file:")
        self._path = f"{database}-writers.lock" if usable else None

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Mark this writer as waiting for the write lock for the ``with`` block (``BEGIN IMMEDIATE``)."""
        descriptor = self._open(create=True)
        if descriptor is None:
            yield
            return
        try:
            lock_byte(descriptor, fcntl.F_RDLCK, _WAITING, wait=True)  # shared: never waits in practice
            yield
        finally:
            os.close(descriptor)  # drops the mark

    def anyone_waiting(self) -> bool | None:
        """Whether a writer (another process's, or another thread's) is waiting; ``None``: cannot tell."""
        if self._path is None:
            return None
        descriptor = self._open(create=False)
        if descriptor is None:
            return False  # no writer has ever marked itself here
        try:
            return held_elsewhere(descriptor, _WAITING)
        finally:
            os.close(descriptor)

    def make_way(self, most_seconds: float) -> float:
        """Pause while writers wait for the lock, at most ``most_seconds``; the seconds paused.

        Call it with no transaction open. When waiting writers cannot be seen, pause the whole time.
        """
        if self.anyone_waiting() is None:
            time.sleep(most_seconds)
            return most_seconds
        started = time.monotonic()
        deadline = started + most_seconds
        while self.anyone_waiting() and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        return time.monotonic() - started

    def _open(self, create: bool) -> int | None:
        if self._path is None:
            return None
        # Read-only is enough for a shared lock and for asking about locks, so the operators'
        # different accounts can all use the file whoever created it.
        flags = os.O_RDONLY | (os.O_CREAT if create else 0)
        try:
            return os.open(self._path, flags, 0o666)
        except FileNotFoundError:
            return None
        except PermissionError:
            # A folder this writer may not create files in: it cannot be seen waiting, which only
            # means it takes its turn as SQLite gives it (the database itself is unaffected).
            return None
