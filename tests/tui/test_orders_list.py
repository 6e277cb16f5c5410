"""Orders (F3): every placed order, filtered by status, date, customer and number; Enter opens."""

from __future__ import annotations

from oms_tui.screens.order import OrderScreen
from oms_tui.screens.orders import OrdersScreen
from oms_tui.widgets.paged_table import PagedTable
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX
from tests.tui.pilot_helpers import place_order, screen_text, settle, type_text


def listed(app) -> list[str]:
    return [key for key, _ in app.screen.query_one(PagedTable)._page_rows]


async def open_orders(app, pilot) -> OrdersScreen:
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(app.screen, OrdersScreen)
    return app.screen


def three_orders(office) -> list[int]:
    services = office.application.services
    first = place_order(office, "ann", [(SKU_CABERNET, 1)])
    second = place_order(office, "bob", [(SKU_CHARDONNAY, 2)])
    third = place_order(office, "ann", [(SKU_GIFT_BOX, 1)])
    services.fulfilment.release(second.id)
    services.cart.start(office.customers["dee"])  # a draft is not an order yet
    return [first.id, second.id, third.id]


async def test_the_list_shows_placed_orders_newest_first_without_drafts(make_app, office):
    ids = three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_orders(app, pilot)
        assert listed(app) == [str(i) for i in reversed(ids)]
        text = screen_text(app)
        assert "C000002 Bob Jones" in text
        assert "Released" in text
        assert "3 orders" in text


async def test_filter_by_status(make_app, office):
    ids = three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        screen.query_one("#status-filter").value = "released"
        await settle(pilot)
        assert listed(app) == [str(ids[1])]
        screen.query_one("#status-filter").value = "placed"
        await settle(pilot)
        assert listed(app) == [str(ids[2]), str(ids[0])]


async def test_filter_by_customer_number_and_by_order_number(make_app, office):
    ids = three_orders(office)
    numbers = [office.application.services.orders.get(i).number for i in ids]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        screen.query_one("#customer-number").focus()
        await type_text(pilot, "c1")
        await settle(pilot)
        assert listed(app) == [str(ids[2]), str(ids[0])]
        screen.query_one("#customer-number").value = ""
        screen.query_one("#order-number").value = str(numbers[1])
        await settle(pilot)
        assert listed(app) == [str(ids[1])]


async def test_filter_by_dates(make_app, office):
    three_orders(office)  # placed on 2026-11-26 by the fixed clock
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        screen.query_one("#placed-from").value = "2026-11-27"
        await settle(pilot)
        assert listed(app) == []
        assert "No orders match" in screen_text(app)
        screen.query_one("#placed-from").value = "2026-11-25"
        screen.query_one("#placed-to").value = "2026-11-26"
        await settle(pilot)
        assert len(listed(app)) == 3
        screen.query_one("#placed-from").value = "11/25"  # as operators type dates
        screen.query_one("#placed-to").value = "today"
        await settle(pilot)
        assert len(listed(app)) == 3
        screen.query_one("#placed-from").value = "+1"
        await settle(pilot)
        assert listed(app) == []


async def test_a_bad_date_or_unknown_customer_is_said_plainly(make_app, office):
    three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        screen.query_one("#placed-from").value = "26/11/2026"
        await settle(pilot)
        assert "'26/11/2026' is not a day on the calendar" in screen_text(app)
        screen.query_one("#placed-from").value = ""
        screen.query_one("#customer-number").value = "C999999"
        await settle(pilot)
        assert "no customer 'C999999'" in screen_text(app)
        assert listed(app) == []


async def test_enter_in_the_filters_moves_on_and_then_to_the_table(make_app, office):
    three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        assert app.focused is screen.query_one(PagedTable)
        await pilot.press("slash")
        assert app.focused.id == "status-filter"
        screen.query_one("#customer-number").focus()
        await pilot.press("enter")
        assert app.focused.id == "order-number"
        await pilot.press("enter")
        assert app.focused is screen.query_one(PagedTable)


async def test_enter_opens_the_highlighted_order(make_app, office):
    ids = three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_orders(app, pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.order_id == ids[1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrdersScreen)


async def test_filter_by_source_and_by_operator(make_app, office):
    ids = three_orders(office)
    services = office.application.services
    imported = services.orders.get(ids[0])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        screen.query_one("#source-filter").value = "email"
        await settle(pilot)
        assert listed(app) == []
        screen.query_one("#source-filter").value = str(imported.source)
        await settle(pilot)
        assert listed(app) == [str(i) for i in reversed(ids)]
        screen.query_one("#operator-filter").focus()
        await type_text(pilot, "nobody")
        await settle(pilot)
        assert listed(app) == []
        screen.query_one("#operator-filter").value = imported.operator
        await settle(pilot)
        assert listed(app) == [str(i) for i in reversed(ids)]


async def test_pagedown_at_the_bottom_loads_the_orders_after_the_last_one(make_app, office, monkeypatch):
    monkeypatch.setattr("oms_tui.screens.orders.PAGE_SIZE", 2)
    ids = three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_orders(app, pilot)
        assert listed(app) == [str(ids[2]), str(ids[1])]
        place_order(office, "bob", [(SKU_GIFT_BOX, 1)])  # a newer order arrives meanwhile
        await pilot.press("down", "pagedown")
        await settle(pilot)
        assert listed(app) == [str(i) for i in reversed(ids)]


async def test_the_filter_dropdowns_are_chosen_by_typing_and_the_focused_filter_shows_its_bars(
    make_app, office
):
    """As in every form: letters on a closed dropdown choose ("r" Released, "f" Fax), and the focused
    filter has a bar at each end (an outline, visible in 16 colours), not only a brighter arrow.
    """
    ids = three_orders(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        await pilot.press("slash")
        assert app.focused.id == "status-filter"
        await pilot.press("r")
        await settle(pilot)
        assert screen.query_one("#status-filter").value == "released"
        assert listed(app) == [str(ids[1])]
        for field, marked in (
            ("#status-filter", "#status-filter SelectCurrent"),  # a dropdown shows focus on its face
            ("#source-filter", "#source-filter SelectCurrent"),
            ("#operator-filter", "#operator-filter"),
            ("#placed-from", "#placed-from"),
        ):
            screen.query_one(field).focus()
            await settle(pilot)
            assert screen.query_one(marked).styles.outline_left[0] == "outer", field
