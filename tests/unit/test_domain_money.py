"""Money: Decimal quantised to cents, half-up, and integer cents in storage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_core.domain.money import format_money, from_cents, money, parse_money, to_cents


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("2.675", "2.68"),
        ("0.004", "0.00"),
        ("-0.005", "-0.01"),
        (7, "7.00"),
    ],
)
def test_money_rounds_half_up_to_the_cent(value: str | int, expected: str) -> None:
    assert money(value) == Decimal(expected)
    assert str(money(value)) == expected


def test_a_float_means_its_printed_value_not_its_binary_neighbour() -> None:
    assert money(0.1) == Decimal("0.10")
    assert money(1.005) == Decimal("1.01")


def test_money_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        money("abc")


@pytest.mark.parametrize("amount", ["0.00", "0.01", "19.99", "1234567.89", "-5.25"])
def test_cents_round_trip_exactly(amount: str) -> None:
    assert from_cents(to_cents(Decimal(amount))) == Decimal(amount)


def test_to_cents_rounds_half_up_first() -> None:
    assert to_cents(Decimal("10.005")) == 1001
    assert to_cents(Decimal("10.004")) == 1000


def test_format_money_groups_thousands_with_two_places() -> None:
    assert format_money(Decimal("1234.5")) == "1,234.50"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", "12.00"), ("12.5", "12.50"), ("$1,234.50", "1234.50"), (" 3.456 ", "3.46"), ("0", "0.00")],
)
def test_parse_money_reads_what_an_operator_types(typed: str, expected: str) -> None:
    assert parse_money(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "enter an amount"),
        ("   ", "enter an amount"),
        ("twelve", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("-5", "cannot be negative"),
    ],
)
def test_parse_money_refuses_blank_words_and_negative_amounts(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(typed)
