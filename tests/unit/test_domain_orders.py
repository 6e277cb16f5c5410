"""The order lifecycle and line quantities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.orders import (
    MAX_LINE_QUANTITY,
    Order,
    OrderLine,
    OrderStatus,
    check_quantity,
    check_transition,
    parse_quantity,
)

S = OrderStatus


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.DRAFT, S.PLACED),
        (S.DRAFT, S.CANCELLED),
        (S.PLACED, S.RELEASED),
        (S.PLACED, S.CANCELLED),
        (S.PLACED, S.PART_SHIPPED),  # an office that ships without releasing first
        (S.RELEASED, S.PART_SHIPPED),
        (S.RELEASED, S.SHIPPED),
        (S.RELEASED, S.CANCELLED),
        (S.PART_SHIPPED, S.PART_SHIPPED),
        (S.PART_SHIPPED, S.SHIPPED),
        (S.SHIPPED, S.DELIVERED),
    ],
)
def test_the_lifecycle_allows_moving_forward_or_cancelling(current: S, new: S) -> None:
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.DRAFT, S.SHIPPED),
        (S.PLACED, S.DRAFT),
        (S.PLACED, S.DELIVERED),
        (S.SHIPPED, S.CANCELLED),
        (S.SHIPPED, S.RELEASED),
        (S.PART_SHIPPED, S.CANCELLED),
        (S.DELIVERED, S.SHIPPED),
        (S.CANCELLED, S.PLACED),
        (S.CANCELLED, S.CANCELLED),
    ],
)
def test_the_lifecycle_refuses_going_back_skipping_or_leaving_an_end_state(current: S, new: S) -> None:
    with pytest.raises(InvalidState, match=f"{current.label} cannot become {new.label}"):
        check_transition(current, new)


def test_a_placed_order_can_no_longer_be_edited() -> None:
    order = Order(id=1, status=S.PLACED, number=1001)
    with pytest.raises(InvalidState, match="1001"):
        order.require_draft()
    Order(id=2).require_draft()


@pytest.mark.parametrize(("typed", "expected"), [("3", 3), (" 3 ", 3), ("3.0", 3), ("1,000", 1000)])
def test_parse_quantity_reads_whole_numbers(typed: str, expected: int) -> None:
    assert parse_quantity(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "at least 1"),
        ("-2", "at least 1"),
        ("2.5", "whole number"),
        ("abc", "not a quantity"),
        ("", "not a quantity"),
        (str(MAX_LINE_QUANTITY + 1), "at most"),
        ("99999999999999999999", "at most"),
    ],
)
def test_parse_quantity_refuses_zero_negative_fractions_words_and_huge_numbers(
    typed: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_quantity(typed, field_name="qty")
    assert caught.value.field == "qty"


def test_check_quantity_accepts_the_limits_and_refuses_non_integers() -> None:
    assert check_quantity(1) == 1
    assert check_quantity(MAX_LINE_QUANTITY) == MAX_LINE_QUANTITY
    for bad in (True, 2.0, "3", None):
        with pytest.raises(ValidationError, match="whole number"):
            check_quantity(bad)  # type: ignore[arg-type]


def test_same_items_compares_skus_and_quantities_not_prices() -> None:
    first = Order(id=1, lines=[OrderLine(1, 1, "A", "A", 2, Decimal("1.00"))])
    second = Order(id=2, lines=[OrderLine(2, 1, "A", "A", 2, Decimal("9.00"))])
    third = Order(id=3, lines=[OrderLine(3, 1, "A", "A", 3, Decimal("1.00"))])
    assert first.same_items_as(second)
    assert not first.same_items_as(third)


def test_asking_for_a_line_not_on_the_order_names_the_line_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Order(id=1).line(99)
    assert caught.value.field == "line"
