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
