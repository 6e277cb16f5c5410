"""Helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection

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


def unique(values: Sequence[T]) -> list[T]:
    """``values`` without repeats, in their first order."""
    return list(dict.fromkeys(values))
