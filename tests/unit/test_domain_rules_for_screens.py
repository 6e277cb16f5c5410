"""The domain rules screens and the command line ask for instead of repeating them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oms_core.domain.customers import CustomerStatus
from oms_core.domain.errors import ValidationError
from oms_core.domain.orders import OrderStatus
from oms_core.domain.payments import (
    CardEntry,
    card_number_problem,
    card_problems,
    expiry_problem,
    parse_expiry,
    security_code_problem,
)
from oms_core.read_models import CustomerSummary, OrderSummary

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("status", "can_cancel"),
    [
        (OrderStatus.DRAFT, False),
        (OrderStatus.PLACED, True),
        (OrderStatus.RELEASED, True),
        (OrderStatus.PART_SHIPPED, False),
        (OrderStatus.SHIPPED, False),
        (OrderStatus.DELIVERED, False),
        (OrderStatus.CANCELLED, False),
    ],
)
def test_placed_orders_may_be_cancelled_until_they_ship(status: OrderStatus, can_cancel: bool) -> None:
    assert status.can_cancel is can_cancel
    row = OrderSummary(1, 1001, status.value, "phone", 1, "C000001", "Ann", Decimal("1"), None, None, "alice")
    assert row.can_cancel is can_cancel


@pytest.mark.parametrize(
    ("status", "may_order", "label"),
    [("active", True, "active"), ("on_hold", False, "on hold"), ("closed", False, "closed")],
)
def test_only_active_customers_may_order(status: str, may_order: bool, label: str) -> None:
    assert CustomerStatus(status).may_order is may_order
    row = CustomerSummary(1, "C000001", "Ann", "Smith", "", "", "", "", "", "RETAIL", status)
    assert (row.may_order, row.status_label) == (may_order, label)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("4111 1111 1111 1111", None),
        ("4111-1111-1111-1111", None),
        ("378282246310005", None),
        ("", "card number is required"),
        ("4111 1111 1111 1112", "card number is not valid (check the digits)"),  # Luhn
        ("411111111111", "card number is not valid (check the digits)"),  # 12 digits
        ("4" + "0" * 18 + "0", "card number is not valid (check the digits)"),  # 20 digits
    ],
)
def test_a_card_number_needs_13_to_19_digits_that_pass_luhn(typed: str, problem: str | None) -> None:
    assert card_number_problem(typed) == problem


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("04/28", (4, 2028)),
        ("0428", (4, 2028)),
        ("4/28", (4, 2028)),
        ("04/2028", (4, 2028)),
        (" 12/30 ", (12, 2030)),
    ],
)
def test_expiry_is_read_in_the_ways_operators_type_it(typed: str, expected: tuple[int, int]) -> None:
    assert parse_expiry(typed) == expected


@pytest.mark.parametrize("typed", ["", "428", "13/28", "04-28", "ab/cd", "04/123"])
def test_a_bad_expiry_names_the_expiry_field(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_expiry(typed)
    assert caught.value.field == "card_expiry"


def test_a_card_expires_after_its_month_and_the_code_is_3_or_4_digits() -> None:
    assert expiry_problem(11, 2026, TODAY) is None
    assert expiry_problem(10, 2026, TODAY) == "the card has expired"
    assert expiry_problem(13, 2030, TODAY) == "expiry month must be 01 to 12"
    assert [security_code_problem(code) for code in ("", "123", "1234")] == [None, None, None]
    assert security_code_problem("12") == "security code must be 3 or 4 digits"
    card = CardEntry("4111111111111112", 10, 2026, "12")
    assert [field for field, _ in card_problems(card, TODAY)] == ["card_number", "card_expiry", "card_cvv"]
