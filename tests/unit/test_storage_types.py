"""The storage types' conversions, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from oms_core.storage.types import UtcDateTime, sqlite_text

SQLITE = sqlite.dialect()


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 30, 6, 4, 5, tzinfo=UTC),
        datetime(2026, 11, 30, 6, 4, 5, 7, tzinfo=UTC),
        datetime(2026, 3, 3, 23, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 6, 1, 12, 0, 0, 1),  # naive: taken to be UTC
        datetime(1, 1, 1),
    ],
)
def test_sqlite_text_is_what_the_sqlite_datetime_type_writes_for_the_utc_value(value):
    # Rows written before and after must compare as text: the same format, six fractional digits.
    usual = DATETIME().bind_processor(SQLITE)
    assert usual is not None
    expected = usual(UtcDateTime().process_bind_param(value, SQLITE))
    assert sqlite_text(value) == expected
    process = UtcDateTime()._cached_bind_processor(SQLITE)
    assert process is not None and process(value) == expected and process(None) is None
