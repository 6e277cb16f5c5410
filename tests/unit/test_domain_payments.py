"""Card checks: Luhn, brands, and what a typed card may show."""

from __future__ import annotations

import pytest

from oms_core.domain.customers import CardOnFile
from oms_core.domain.payments import (
    CardEntry,
    CardToken,
    PaymentChoice,
    PaymentMethod,
    card_brand,
    luhn_ok,
)


@pytest.mark.parametrize(
    "number", ["4111111111111111", "5555555555554444", "378282246310005", "4000000000000002"]
)
def test_documented_test_numbers_pass_luhn(number: str) -> None:
    assert luhn_ok(number)


@pytest.mark.parametrize("number", ["4111111111111112", "4111 1111 1111 1111", "", "abcd"])
def test_slips_and_non_digits_fail_luhn(number: str) -> None:
    assert not luhn_ok(number)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "Visa"),
        ("5555555555554444", "Mastercard"),
        ("2221000000000009", "Mastercard"),
        ("378282246310005", "Amex"),
        ("6011111111111117", "Discover"),
        ("9999999999999995", "Card"),
    ],
)
def test_card_brand_comes_from_the_leading_digits(number: str, brand: str) -> None:
    assert card_brand(number) == brand


def test_a_typed_card_never_shows_its_number_or_code_in_repr() -> None:
    card = CardEntry("4111111111111111", 4, 2030, cvv="737", name="Ann")
    assert "4111111111111111" not in repr(card)
    assert "737" not in repr(card)
    assert card.last4 == "1111"


def test_payment_labels_show_only_brand_and_last_four() -> None:
    token = CardToken("tok_test_1111_x", "Visa", "1111", 4, 2030)
    assert PaymentChoice(PaymentMethod.CARD, card=token).label() == "Visa ending 1111"
    assert PaymentChoice(PaymentMethod.CHECK, check_number="1042").label() == "Check #1042"
    assert PaymentChoice(PaymentMethod.ON_ACCOUNT).label() == "On account"
    assert CardOnFile(1, "tok", "Visa", "4242", 4, 2028).label() == "Visa ending 4242, exp 04/28"
