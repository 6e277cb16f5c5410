"""Engines for SQLite and PostgreSQL, configured for many operators sharing one database.

SQLite
    WAL journal, ``busy_timeout`` 10 s, ``foreign_keys=ON``, ``synchronous=NORMAL``. The sqlite3 driver's
    own transaction handling is switched off (``isolation_level = None``) and SQLAlchemy's ``begin``
    event emits ``BEGIN IMMEDIATE`` for write units of work and plain ``BEGIN`` for reads (the recipe in
    SQLAlchemy's SQLite dialect documentation). A deferred transaction that reads and then writes fails
    at once with ``SQLITE_BUSY`` whatever the timeout; an immediate one waits its turn instead, marked
    as waiting meanwhile (:mod:`oms_core.storage.write_turns`) and asking again every few
    milliseconds (:func:`_begin_immediate`).
PostgreSQL
    psycopg 3 (``postgresql+psycopg://``; plain ``postgresql://`` is rewritten), ``READ COMMITTED``.

Both raise the domain's errors, not SQLAlchemy's (:mod:`oms_core.storage.errors`).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from oms_core.domain.errors import OmsError
from oms_core.storage import errors, tables
from oms_core.storage.write_turns import WriteTurns

WRITE_OPTION = "oms_write"
"""Connection execution option: ``True`` makes the next SQLite transaction ``BEGIN IMMEDIATE``."""

SQLITE_BUSY_TIMEOUT_MS = 10_000
ASK_AGAIN_SECONDS = (0.001, 0.002, 0.004, 0.008)
"""Pauses of a writer asking again for SQLite's write lock; the last repeats until the busy timeout."""
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = -32_768  # negative: KiB, so 32 MiB per connection at most


def normalize_url(url: str | URL) -> URL:
    """Parse ``url`` and pick our drivers: psycopg 3 for PostgreSQL, pysqlite for SQLite."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in str(url)


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Build an engine for ``url`` (a SQLite file or memory database, or PostgreSQL).

    A SQLite file's folder must exist, except oms's own data folder, which is created. An
    in-memory SQLite database uses one shared connection (``StaticPool``), so it suits
    single-threaded tests only.

    Args:
        url: ``sqlite:///path/oms.db``, ``sqlite://`` or ``postgresql://user@host/db``.
        **kwargs: extra ``create_engine`` arguments (e.g. ``echo=True``).

    Returns:
        The engine; nothing is connected yet.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "postgresql"):
        tables.use_dialect(backend)
    if backend == "sqlite":
        if _is_memory(parsed):
            kwargs.setdefault("poolclass", StaticPool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        elif parsed.database and not parsed.database.startswith("file:"):
            _database_folder(Path(parsed.database).expanduser())
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        errors.install(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("isolation_level", "READ COMMITTED")
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(parsed, **kwargs)
        errors.install(engine)
        return engine
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}")


def _database_folder(database: Path) -> None:
    """Make sure the SQLite file's folder exists: oms makes its own data folder (where the default
    and demo databases live) and no other, so a mistyped ``--db`` path is refused, not created.

    Raises:
        OmsError: naming the missing folder.
    """
    from platformdirs import user_data_dir

    folder = database.parent
    if folder.is_dir():
        return
    if folder.absolute() != Path(user_data_dir("oms", appauthor=False)).absolute():
        raise OmsError(
            f"there is no folder {folder} for the database {database.name} (oms creates no folders)"
        )
    folder.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    turns = WriteTurns(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Read through a shared memory map and a larger page cache: search at a million
            # customers touches index pages all over the file, and system calls per page
            # read cost more than the reads.
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES:d}")
            cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB:d}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            # Marked as waiting while it asks, so a batch run between chunks lets it in.
            with turns.waiting():
                _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection: Connection) -> None:
    """``BEGIN IMMEDIATE``, asking again every few milliseconds while another writer holds the lock.

    SQLite's own busy wait sleeps longer and longer between tries, 100 ms at a time once a writer
    has waited a quarter of a second. A writer queued behind a long transaction (a batch chunk) so
    got in up to 100 ms after the lock was free, and anyone arriving meanwhile went first: while a
    batch ran, an operator's edit waited seconds now and then. Asking every 8 ms at most costs one
    file-lock attempt each time. (A queue that woke writers in turn was measured too: on two busy
    cores it halved the office's orders per minute, each hand-over waiting for the woken process to
    be scheduled while the lock sat free.) Past the busy timeout it fails as it always did:
    ``database is locked``, which the services retry.
    """
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        tries = 0
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.Error as error:
                # This event runs outside SQLAlchemy's error handling: anything but the lock is
                # raised below, through SQLAlchemy, so that it reaches the operator as one line.
                if (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(ASK_AGAIN_SECONDS[min(tries, len(ASK_AGAIN_SECONDS) - 1)])
            tries += 1
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # once more, raising what SQLite says
    finally:
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")


def connect(engine: Engine, write: bool = False) -> Connection:
    """Check out a connection whose transactions are write transactions when ``write`` is true."""
    connection = engine.connect()
    if write:
        connection.execution_options(**{WRITE_OPTION: True})
    return connection
