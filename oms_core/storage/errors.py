"""Driver errors turned into the domain's errors, so no SQLAlchemy or driver exception reaches a service.

:func:`install` hooks SQLAlchemy's ``handle_error`` event on an engine: every statement, commit and
connection attempt that fails raises one of :mod:`oms_core.domain.errors` instead, with the driver's
first line kept in words and the original exception chained as ``__cause__`` (for the log).

* deadlock, serialisation failure, lock or statement timeout (PostgreSQL); ``database is locked`` /
  ``database table is locked`` after the busy timeout (SQLite) -> :class:`TransactionConflict`, which
  the services retry from the start of the transaction;
* a lost or refused connection, a file that cannot be opened -> :class:`DatabaseUnavailable`;
* a missing table -> :class:`DatabaseError` saying to run ``oms db upgrade``;
* anything else (a constraint, a bug) -> :class:`DatabaseError`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from oms_core.domain.errors import DatabaseError, DatabaseUnavailable, TransactionConflict

_RETRYABLE_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available (lock_timeout, NOWAIT)
        "57014",  # query_canceled (statement_timeout)
    }
)
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (extended codes keep these low bits)
_SQLITE_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")
_SQLITE_NOTADB = 26  # "file is not a database"


def translate(error: BaseException, is_disconnect: bool = False) -> DatabaseError | None:
    """The domain error for a driver (DBAPI) error, or ``None`` for anything that is not one.

    Args:
        error: the driver's exception (``psycopg.Error``, ``sqlite3.Error``), not SQLAlchemy's wrapper.
        is_disconnect: SQLAlchemy judged that the connection is gone.
    """
    module = type(error).__module__.split(".")[0]
    if module not in ("psycopg", "sqlite3"):
        return None
    text = _first_line(error)
    if _is_conflict(error, text):
        return TransactionConflict(f"the database was busy with other work ({text}); nothing was saved")
    if is_disconnect or _is_unavailable(error, text):
        return DatabaseUnavailable(f"cannot reach the database ({text})")
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return DatabaseError(f"{text}: the database has no oms schema yet; run `oms db upgrade` first")
    if _sqlite_code(error) == _SQLITE_NOTADB:
        # Raised by the first read as often as by a write: "refused the change" would mislead.
        return DatabaseError(f"{text}: the database URL names a file that is not an oms database")
    return DatabaseError(f"the database refused the change ({text}); nothing was saved")


def _sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code of ``error`` (the extended code's low byte), if it has one."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def install(engine: Engine) -> None:
    """Make ``engine`` raise the domain's errors instead of SQLAlchemy's (see the module docstring)."""
    event.listen(engine, "handle_error", _on_error, retval=True)


def _on_error(context: ExceptionContext) -> BaseException | None:
    if context.is_pre_ping:
        return None  # the pool tests a connection and reconnects by itself
    return translate(context.original_exception, context.is_disconnect)


def _is_conflict(error: Any, text: str) -> bool:
    if getattr(error, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    if _sqlite_code(error) in _SQLITE_BUSY_CODES:
        return True
    return type(error).__name__ == "OperationalError" and text.startswith(_SQLITE_BUSY_WORDS)


def _is_unavailable(error: Any, text: str) -> bool:
    sqlstate = getattr(error, "sqlstate", None) or ""
    if sqlstate.startswith(("08", "57P")):  # connection exceptions, operator intervention
        return True
    if type(error).__module__.startswith("psycopg") and type(error).__name__ == "OperationalError":
        return sqlstate == ""  # psycopg raises its OperationalError without a state when it cannot connect
    return text.startswith(("unable to open database", "disk I/O error"))


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__
