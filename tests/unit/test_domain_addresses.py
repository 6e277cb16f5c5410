"""Address rules: ZIP normalisation, states, required fields."""

from __future__ import annotations

import pytest

from oms_core.domain.addresses import address_problems, clean_address, normalize_zip
from oms_core.domain.customers import Address


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2134", "02134"),
        ("02134", "02134"),
        ("2134.0", "02134"),
        ("021341234", "02134-1234"),
        ("21341234", "02134-1234"),
        ("6011234", "00601-1234"),
        ("2134-1234", "02134-1234"),
        (" 94105 ", "94105"),
        ("94105 - 1234", "94105-1234"),
    ],
)
def test_zip_codes_get_back_their_leading_zeros_and_join_zip_plus_four(typed: str, expected: str) -> None:
    assert normalize_zip(typed) == expected


@pytest.mark.parametrize("typed", ["ABCDE", "941051", "9410512345", "94105-12"])
def test_a_zip_that_cannot_be_a_us_zip_stays_invalid(typed: str) -> None:
    # Six digits are a slip of the finger, not a ZIP+4 that lost zeros: no ZIP starts with 000.
    problems = address_problems(_good(zip=normalize_zip(typed)))
    assert [field for field, _ in problems] == ["zip"]


def _good(**changes: str) -> Address:
    values = {
        "name": "Ann Smith",
        "address1": "1 Main St",
        "city": "Boston",
        "state": "MA",
        "zip": "02134",
    }
    values.update(changes)
    return Address(**values)


def test_a_complete_address_has_no_problems() -> None:
    assert address_problems(_good()) == []


def test_a_company_alone_is_enough_for_a_name() -> None:
    assert address_problems(_good(name="", company="Acme")) == []


def test_every_missing_required_field_is_named() -> None:
    problems = address_problems(Address(), prefix="ship_")
    assert [field for field, _ in problems] == [
        "ship_name",
        "ship_address1",
        "ship_city",
        "ship_state",
        "ship_zip",
    ]


def test_a_state_that_is_not_a_us_state_is_refused() -> None:
    problems = address_problems(_good(state="XX"))
    assert problems == [("state", "state 'XX' is not a US state code (e.g. CA)")]


def test_other_countries_keep_their_own_postcodes_and_regions() -> None:
    assert address_problems(_good(state="ON", zip="K1A 0B1", country="CA")) == []


def test_overlong_fields_are_refused() -> None:
    problems = address_problems(_good(city="x" * 201))
    assert [field for field, _ in problems] == ["city"]


def test_clean_address_trims_upper_cases_and_restores_zip_zeros() -> None:
    cleaned = clean_address(
        Address(name=" Ann ", address1=" 1 Main ", city=" Boston ", state=" ma", zip="2134", country="usa")
    )
    assert cleaned == Address(
        name="Ann", address1="1 Main", city="Boston", state="MA", zip="02134", country="US"
    )
