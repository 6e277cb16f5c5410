"""Helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Connection, any_, bindparam

from oms_core.ports import Clock

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
