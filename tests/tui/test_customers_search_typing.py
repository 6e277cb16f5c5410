"""Search as you type: no pause, one search at a time for the newest text, rows swapped in place."""

from __future__ import annotations

import threading

from oms_core.domain.customers import Address
from oms_core.services.customers import CustomerInput
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.paged_table import PagedTable
from tests.tui.pilot_helpers import screen_text, settle, type_text


def shown_numbers(search: CustomerSearch) -> list[str]:
    return [search._results[key].number for key, _ in search.table._page_rows]


async def test_keys_typed_while_a_search_runs_make_one_search_for_the_newest_text(make_app, monkeypatch):
    app = make_app()
    customers = app.services.customers
    real_search = customers.search_page
    asked: list[str] = []
    first_may_answer = threading.Event()

    def slow_first_search(text: str, limit: int = 50, after=None):
        asked.append(text)
        if text == "a":  # the first key's search is slow to answer
            first_may_answer.wait(10)
        return real_search(text, limit, after)

    monkeypatch.setattr(customers, "search_page", slow_first_search)
    shown: list[list[str]] = []
    real_set_rows = PagedTable.set_rows

    def record_rows(table, rows, **kwargs):
        real_set_rows(table, rows, **kwargs)
        search = table.parent
        if isinstance(search, CustomerSearch):
            shown.append(shown_numbers(search))

    monkeypatch.setattr(PagedTable, "set_rows", record_rows)
    async with app.run_test(size=(80, 24)) as pilot:
        search = app.screen.query_one(CustomerSearch)
        await pilot.press("a")
        for key in "cme":  # an operator typing on while "a" is still being answered
            await pilot.pause(0.3)
            await pilot.press(key)
        await pilot.pause(0.3)
        first_may_answer.set()
        await settle(pilot)
        # "a" (Ann Smith's email, Acme's company) answered after "acme" was typed: dropped unseen,
        # and "ac", "acm" were never asked for.
        assert asked == ["a", "acme"]
        assert shown == [["C000002"]]
        assert shown_numbers(search) == ["C000002"]


async def test_a_fast_typist_sees_only_the_newest_querys_results(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        search = app.screen.query_one(CustomerSearch)
        await type_text(pilot, "smith")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await type_text(pilot, "jones")  # no pause between the keys
        await settle(pilot)
        assert shown_numbers(search) == ["C000002"]
        assert search.query_input.value == "jones"


async def test_new_results_replace_the_rows_without_rebuilding_the_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        search = app.screen.query_one(CustomerSearch)
        await type_text(pilot, "smith")
        await settle(pilot)
        columns = list(search.table.columns.values())
        await pilot.press("ctrl+u")
        await type_text(pilot, "jones")
        await settle(pilot)
        assert shown_numbers(search) == ["C000002"]
        assert list(search.table.columns.values()) == columns
        assert all(new is old for new, old in zip(search.table.columns.values(), columns, strict=True))


async def test_at_80_columns_the_list_shows_the_whole_name_and_the_state(make_app, office):
    office.application.services.customers.create(
        CustomerInput(
            first_name="Alexandra",
            last_name="Montgomery-Smith",
            company="Montgomery Cellars",
            phone="503-555-0100",
            address=Address(name="A M", address1="1 Vine St", city="Beaverton", state="OR", zip="97005"),
        ),
        allow_duplicate=True,
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "montgomery")
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Montgomery-Smith" in line)
        assert "Montgomery-Smith, Alexandra" in row
        assert " OR " in row
        assert "(503) 555-0100" in row


async def test_at_120_columns_the_list_adds_email_and_type(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "acme")
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Jones, Bob" in line)
        for shown in ("bob@acme.example", "Wholesale", " NY ", "New York"):
            assert shown in row


async def test_enter_typed_before_the_results_then_the_order_all_land_where_they_belong(make_app):
    """ "smith" Enter o SKU Enter 2 Enter in one burst: Enter arrives while the search still runs, so
    it waits for the first result; the keys after it must wait too, for the customer it opens,
    instead of going into the search box ("smithoWINE-...2": no match, nothing opened).
    """
    from oms_tui.screens.cart import CartScreen
    from tests.fakes import SKU_CABERNET
    from tests.tui.pilot_helpers import burst, keys

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, keys("smith", ["enter"], "o", SKU_CABERNET, ["enter"], "2", ["enter"]))
        await settle(pilot)
        for _ in range(100):
            if isinstance(app.screen, CartScreen) and SKU_CABERNET in screen_text(app):
                break
            await pilot.pause(0.05)
            await settle(pilot)
        assert isinstance(app.screen, CartScreen), screen_text(app)
        assert f"Added 2 x {SKU_CABERNET}" in screen_text(app)


async def test_the_prompt_is_read_whole_at_80_columns(make_app):
    from oms_tui.widgets.customer_search import PROMPT

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert PROMPT in screen_text(app)
