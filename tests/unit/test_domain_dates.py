"""Dates as operators type them: one parser for every date field."""

from __future__ import annotations

from datetime import date

import pytest

from oms_core.domain.dates import parse_typed_date

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("11/28/2026", date(2026, 11, 28)),
        ("11/28/26", date(2026, 11, 28)),
        ("1/5/2027", date(2027, 1, 5)),
        ("11/28", date(2026, 11, 28)),
        ("11-28", date(2026, 11, 28)),
        (" Today ", TODAY),
        ("tomorrow", date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 25)),
        ("+3", date(2026, 11, 29)),
        ("+ 10", date(2026, 12, 6)),
        ("-2", date(2026, 11, 24)),
        ("2026-11-28", date(2026, 11, 28)),
        ("2026-1-5", date(2026, 1, 5)),
    ],
)
def test_what_operators_type_is_understood(typed, expected):
    assert parse_typed_date(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "soon", "28/28", "2/30", "11/28/202", "+", "2026-13-01"])
def test_anything_else_is_one_clear_line(typed):
    with pytest.raises(ValueError) as refused:
        parse_typed_date(typed, TODAY)
    message = str(refused.value)
    assert "\n" not in message
    assert "is not a d" in message
