"""Helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Connection, Dialect, any_, bindparam
from sqlalchemy.exc import DBAPIError

from oms_core.ports import Clock
from oms_core.storage.errors import translate

T = TypeVar("T")

CHUNK = 900
"""Ids per ``IN (...)`` list: well under every backend's bound-parameter limit."""


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Split ``values`` into lists of at most ``size``."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Repository:
    """Base of the SQL repositories: one connection, the clock, and whether the work writes."""

    def __init__(self, connection: Connection, clock: Clock, write: bool = False) -> None:
        self._conn = connection
        self._clock = clock
        self._write = write

    @property
    def _is_postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    def _among(self, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL ``column = ANY(array)``, one parameter whatever the
        count.

        A batch chunk's reads list a few hundred ids or keys. As an ``IN`` list each count is a new
        statement text: PostgreSQL plans it afresh (a 250-key ``IN`` took ~10 ms to plan, the
        same ``= ANY`` 0.15 ms), and the driver, which keeps only short texts, parses every such
        statement again. With one array the text is the same each chunk, so both keep it.
        """
        if self._is_postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return column.in_(values)


def unique(values: Sequence[T]) -> list[T]:
    """``values`` without repeats, in their first order."""
    return list(dict.fromkeys(values))


@contextmanager
def driver_errors(dialect: Dialect, statement: str) -> Iterator[None]:
    """Raise a driver error as any other statement's error is (the domain's error, in words), so a
    deadlock here is retried like one anywhere else; the rows are not in the message.
    """
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        translated = translate(error)
        if translated is not None:
            raise translated from error
        raise DBAPIError.instance(
            statement, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
        ) from error


def execute_each(conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> list[bool]:
    """Run a parameterised statement (positional ``%s``/``?`` markers as the driver takes them) once
    per row, in order, inside the caller's transaction; whether each run changed a row.

    PostgreSQL: the runs go in one round trip (the driver's pipeline mode), still executed one
    after the other. SQLite: one call each (in-process, no round trips).
    """
    if not rows:
        return []
    dialect = conn.dialect
    if dialect.paramstyle == "qmark":
        statement = statement.replace("%s", "?")
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy would for its own statement, or the caller's commit does nothing
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with driver_errors(dialect, statement):
            if dialect.name == "postgresql":
                cursor.executemany(statement, rows, returning=True)
                changed = [cursor.rowcount == 1]
                while cursor.nextset():
                    changed.append(cursor.rowcount == 1)
                return changed
            result = []
            for row in rows:
                cursor.execute(statement, row)
                result.append(cursor.rowcount == 1)
            return result
    finally:
        cursor.close()
