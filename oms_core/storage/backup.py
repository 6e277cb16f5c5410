"""An online copy of a SQLite database, safe while operators write to it (``oms db backup FILE``).

SQLite's backup API copies the database page by page inside one read transaction. oms runs SQLite in
WAL mode, where a reader sees one consistent snapshot and never blocks writers: operators keep
placing orders while the copy is made, and the copy is the database as it was when the copy began.
(A copy in several steps would restart whenever another connection writes; one step never does.)
The copy is then turned into a single self-contained file (rollback journal, no ``-wal`` beside it)
and checked with ``PRAGMA integrity_check`` before anyone sees it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from oms_core.domain.errors import OmsError
from oms_core.storage.database import SQLITE_BUSY_TIMEOUT_MS


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What a backup copied.

    Attributes:
        pages: database pages copied.
        size_bytes: size of the copy.
    """

    pages: int
    size_bytes: int


def backup_sqlite(source: Path, target: Path) -> BackupReport:
    """Copy the SQLite database ``source`` into ``target`` (an empty or new file) and check the copy.

    Raises:
        OmsError: the source could not be read, or the copy failed its integrity check (``target``
            is then not to be used); one line naming the reason.
    """
    try:
        return _backup(source, target)
    except sqlite3.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OmsError(f"cannot copy {source}: {reason}") from None


def _backup(source: Path, target: Path) -> BackupReport:
    # mode=rw: never create a database that is not there. (Read-only would need the -shm file to be
    # writable anyway, as every WAL reader does.)
    origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        origin.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            origin.backup(copy)  # pages=-1: everything in one step, one snapshot
            # The copy's header still says WAL; a backup should be one file that opens anywhere.
            copy.execute("PRAGMA journal_mode = DELETE")
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
    finally:
        origin.close()
    _remove_sidecars(target)
    problems = integrity_problems(target)
    if problems:
        raise OmsError(f"the copy failed its integrity check: {problems[0]}")
    return BackupReport(pages=pages, size_bytes=target.stat().st_size)


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong with the database at ``path`` (empty: nothing)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    return [] if rows == ["ok"] else rows


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
