"""Customers (F2): one search box for last name, company, email, phone or number."""

from __future__ import annotations

import pytest

from oms_core.services.customers import CustomerInput
from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.customers import CustomersScreen
from oms_tui.widgets.customer_search import PAGE_SIZE, CustomerSearch
from tests.tui.pilot_helpers import screen_text, settle, type_text


def result_numbers(app) -> list[str]:
    search = app.screen.query_one(CustomerSearch)
    return [search._results[key].number for key, _ in search.table._page_rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("smith", "C000001"),  # last name
        ("smith ann", "C000001"),  # last name then first, no comma
        ("1234", "C000001"),  # the last four digits of the phone
        ("ann smith", "C000001"),  # first then last
        ("acme", "C000002"),  # company
        ("dee@example.com", "C000003"),  # email
        ("415-555-2671", "C000003"),  # phone as written
        ("2125550199", "C000002"),  # phone digits
        ("C000004", "C000004"),  # customer number
        ("97205", "C000001"),  # "what's your zip?"
        ("smith 97205", "C000001"),  # a name and a ZIP
        ("smith 97", "C000001"),  # ... while the ZIP is typed the list stays on the name
        ("smith 972", "C000001"),  # ... and the first three digits narrow it
        ("portland or", "C000001"),  # city and state
        ("New York, NY", "C000002"),  # city, state
        ("jones new york ny", "C000002"),  # a name, city and state
    ],
)
async def test_search_finds_the_customer_by_what_the_caller_says(make_app, query, expected):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, CustomersScreen)
        await type_text(pilot, query)
        await settle(pilot)
        assert result_numbers(app) == [expected]
        assert app.screen.query_one(CustomerSearch).highlighted.number == expected


async def test_results_show_number_name_company_email_phone_city_and_type(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "acme")
        await settle(pilot)
        text = screen_text(app)
        for shown in (
            "C000002",
            "Jones, Bob",
            "Acme Wines",
            "bob@acme.example",
            "(212) 555-0199",
            "New York",
        ):
            assert shown in text
        assert "Wholesale" in text


async def test_no_match_says_how_to_create_a_customer(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "zzzz")
        await settle(pilot)
        assert result_numbers(app) == []
        assert "no match — ctrl+n creates a customer" in screen_text(app)


async def test_enter_opens_the_highlighted_record(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "smith")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Ann Smith" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert app.screen.query_one("#customer-query").value == "smith"


async def test_enter_typed_before_the_results_arrive_opens_the_first_result(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "jones")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer_id == 2


async def test_down_in_the_box_moves_the_highlight(make_app, office):
    office.application.services.customers.create(
        CustomerInput(first_name="Sue", last_name="Smith", email="sue@example.com"), allow_duplicate=True
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "smith")
        await settle(pilot)
        search = app.screen.query_one(CustomerSearch)
        first = search.highlighted
        await pilot.press("down")
        assert search.highlighted != first
        assert app.focused is search.query_input
        await pilot.press("up")
        assert search.highlighted == first


async def test_results_come_a_page_at_a_time_and_pagedown_at_the_bottom_loads_more(make_app, office):
    """Namesakes (ranked by number alone) page on without a customer twice or one missing."""
    customers = office.application.services.customers
    made = set()
    for _ in range(PAGE_SIZE + 10):
        created = customers.create(CustomerInput(first_name="Jo", last_name="Pager"), allow_duplicate=True)
        made.add(str(created.customer.id))  # type: ignore[union-attr]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "pager")
        await settle(pilot)
        search = app.screen.query_one(CustomerSearch)
        assert search.table.row_count == PAGE_SIZE
        assert search.table.cursor_row == 0
        assert "more on PageDown" in screen_text(app)
        for _ in range(10):
            await pilot.press("pagedown")
            await settle(pilot)
        assert search.table.row_count == PAGE_SIZE + 10
        assert {key for key, _ in search.table._page_rows} == made
        assert "60 customers" in screen_text(app)


async def test_a_customer_named_like_markup_is_shown_literally(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "markup")
        await settle(pilot)
        text = screen_text(app)
        assert "Markup, [bold red]x[/]" in text
        assert "\x1b" not in text
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] Markup" in text
        assert "[b]Esc[/b]" in text
