"""Column types that behave the same on SQLite and PostgreSQL.

* :class:`UtcDateTime`: timezone-aware UTC ``datetime`` in, timezone-aware UTC out. SQLite keeps a naive
  UTC text (which sorts chronologically); PostgreSQL keeps ``timestamp with time zone``.
* :class:`ExactDecimal`: ``Decimal`` in, ``Decimal`` out, never through a float. PostgreSQL keeps
  ``NUMERIC(p, s)``; SQLite, which has no exact decimal type, keeps the decimal's text.
* :data:`ID`: ``BIGINT`` keys on PostgreSQL, ``INTEGER`` (the rowid alias) on SQLite.
* :func:`key_string`: a string compared byte-wise on both backends (``COLLATE "C"`` on PostgreSQL), so a
  prefix range ``col >= :p AND col < :p_next`` is an index range scan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

ID = BigInteger().with_variant(Integer(), "sqlite")


def key_string(length: int) -> TypeEngine[str]:
    """A ``VARCHAR(length)`` that sorts by bytes: ``COLLATE "C"`` on PostgreSQL, binary on SQLite."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware in UTC.

    Naive datetimes given to it are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, one call straight to the stored text (:func:`sqlite_text`); elsewhere the
        decorator's usual two steps.

        A bulk load converts millions of timestamps: the usual path (``process_bind_param``, then
        the SQLite ``DATETIME`` type's own formatting) costs three Python calls and a dict a value.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            return None if value is None else sqlite_text(value)

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; drop the zone on SQLite, which stores text without an offset."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def sqlite_text(value: datetime) -> str:
    """The text a :class:`UtcDateTime` column keeps on SQLite for ``value``: naive UTC as
    ``YYYY-MM-DD HH:MM:SS.ffffff``.

    This is the one home of that format (loaders that write rows themselves call it). It is the
    text SQLAlchemy's SQLite ``DATETIME`` type writes and parses back, always with six fractional
    digits, so stored values keep sorting and comparing as text across old and new rows. Naive
    values are taken to be UTC already.
    """
    zone = value.tzinfo
    if zone is None:
        return value.isoformat(" ", "microseconds")
    if zone is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # without the "+00:00"


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: ``NUMERIC(precision, scale)`` on PostgreSQL, decimal text on SQLite.

    Values are quantised to ``scale`` places on the way in, so both backends return the same value.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Text on SQLite (no float round trip, no SQLAlchemy decimal warning), NUMERIC elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> Any:
        """Quantise; hand SQLite the text."""
        if value is None:
            return None
        quantised = Decimal(value).quantize(self._quantum)
        return str(quantised) if dialect.name == "sqlite" else quantised

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Return a ``Decimal`` with ``scale`` places."""
        if value is None:
            return None
        return Decimal(str(value)).quantize(self._quantum)
