"""What an operator types into the one search box, read as a customer query."""

from __future__ import annotations

import pytest

from oms_core.domain.customer_search import CustomerQuery, Located, SearchKey
from oms_core.services.search import parse_customer_query


@pytest.mark.parametrize("typed", ["", "   "])
def test_a_blank_search_is_no_query(typed: str) -> None:
    assert parse_customer_query(typed) is None


def test_one_word_is_a_lower_case_prefix_of_name_company_or_email() -> None:
    assert parse_customer_query("  SMI ") == CustomerQuery(text="smi")


def test_two_words_are_first_and_last_name_as_well_as_the_whole_text() -> None:
    assert parse_customer_query("Ann  Smi") == CustomerQuery(
        text="ann smi", first="ann", last="smi", either_order=True
    )


def test_last_comma_first_is_read_the_other_way_round() -> None:
    query = parse_customer_query("Smith, Ann")
    assert query is not None
    assert (query.first, query.last) == ("ann", "smith")


def test_last_name_and_a_trailing_comma_still_searches_the_last_name() -> None:
    query = parse_customer_query("Smith,")
    assert query is not None
    assert query.text == "smith"


def test_an_email_is_searched_as_text() -> None:
    assert parse_customer_query("Ann@Example.COM") == CustomerQuery(text="ann@example.com")


@pytest.mark.parametrize(
    "typed", ["(503) 555-1234", "503.555.1234", "503 555 1234", "+1 503 555 1234", "1-503-555-1234"]
)
def test_phones_are_searched_by_national_digits_whatever_the_punctuation(typed: str) -> None:
    assert parse_customer_query(typed) == CustomerQuery(digits="5035551234")


def test_a_customer_number_is_an_upper_case_number_prefix() -> None:
    assert parse_customer_query("c0001") == CustomerQuery(number="C0001")


def test_a_short_number_is_a_customer_number_and_a_phone_prefix() -> None:
    assert parse_customer_query("123") == CustomerQuery(digits="123", number="C000123")


def test_two_digits_are_only_a_customer_number() -> None:
    assert parse_customer_query("12") == CustomerQuery(number="C000012")


def test_four_digits_may_be_the_last_four_of_a_phone():
    query = parse_customer_query("1234")
    assert query is not None and query.phone_tail == "1234"
    assert query.digits == "1234" and query.number == "C001234"
    assert parse_customer_query("12345").phone_tail == ""


def test_five_digits_are_also_a_zip_code() -> None:
    query = parse_customer_query("02134")
    assert query is not None
    assert query.places == (Located(SearchKey.POSTAL, "02134"),)
    assert query.digits == "02134"  # still a phone prefix and a customer number too
    assert parse_customer_query("02134-1234").places == (Located(SearchKey.POSTAL, "02134"),)
    assert parse_customer_query("0213").places == ()


def test_a_name_and_a_zip_are_that_name_living_there() -> None:
    assert parse_customer_query("Smith 02134") == CustomerQuery(
        places=(Located(SearchKey.POSTAL, "02134", CustomerQuery(text="smith")),)
    )


@pytest.mark.parametrize("typed", ["boston ma", "Boston, MA", "boston,ma"])
def test_a_city_and_a_state_code_are_also_a_place(typed: str) -> None:
    query = parse_customer_query(typed)
    assert query is not None
    assert Located(SearchKey.PLACE, "boston ma") in query.places


def test_a_name_before_a_city_and_state_is_read_at_every_split() -> None:
    query = parse_customer_query("ann smith new york ny")
    assert query is not None
    assert Located(SearchKey.PLACE, "new york ny", parse_customer_query("ann smith")) in query.places
    assert Located(SearchKey.PLACE, "smith new york ny", CustomerQuery(text="ann")) in query.places


def test_two_words_that_end_in_no_state_code_are_no_place() -> None:
    assert parse_customer_query("ann smith").places == ()


def test_a_zip_being_typed_after_a_name_keeps_the_list_on_that_name() -> None:
    smith = CustomerQuery(text="smith")
    assert parse_customer_query("smith 0") == smith
    assert parse_customer_query("smith 02") == smith
    assert parse_customer_query("smith 021") == CustomerQuery(
        places=(Located(SearchKey.POSTAL, "021", smith, whole=False),)
    )
    assert parse_customer_query("smith 0213").places == (
        Located(SearchKey.POSTAL, "0213", smith, whole=False),
    )
