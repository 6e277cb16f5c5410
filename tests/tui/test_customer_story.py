"""The customer's story: ``s`` on the Customer screen lists orders (status now), shipments with
tracking, notes and mail newest first; Enter opens the order; older lines load a page at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_core.domain.fulfilment import ShipRequest
from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.order import OrderScreen
from oms_tui.screens.story import StoryScreen
from oms_tui.widgets.paged_table import PagedTable
from tests.fakes import SKU_CABERNET
from tests.tui.pilot_helpers import place_order, screen_text, settle


async def _story(app, pilot, customer_id: int) -> StoryScreen:
    app.open_customer(customer_id)
    await settle(pilot)
    assert isinstance(app.screen, CustomerScreen)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, StoryScreen)
    return app.screen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_where_is_my_order_is_two_keys_from_the_customer(make_app, office, size):
    services = office.application.services
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    office.clock.advance(timedelta(minutes=5))
    services.fulfilment.ship(order.id, ShipRequest(carrier="UPS", tracking_number="1Z999AA10123456784"))
    office.clock.advance(timedelta(minutes=5))
    services.notes.add_to_customer(office.customers["ann"], "[bold]called[/bold] about the box")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _story(app, pilot, office.customers["ann"])
        text = screen_text(app)
        assert "root: [bold]called[/bold]" in text  # literally, never markup
        assert "1Z999AA10123456784" in text and "in transit" in text
        assert "Shipped" in text and str(order.number) in text
        table = app.screen.query_one("#story", PagedTable)
        assert table.row_count == 3
        await pilot.press("down", "enter")  # the shipment's line: its order
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen) and app.screen.order_id == order.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)


async def test_older_lines_load_a_page_at_a_time(make_app, office):
    services = office.application.services
    ann = office.customers["ann"]
    for n in range(57):
        office.clock.advance(timedelta(minutes=1))
        services.notes.add_to_customer(ann, f"call {n}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _story(app, pilot, ann)
        table = screen.query_one("#story", PagedTable)
        assert table.row_count == 50 and table.has_more
        assert "call 56" in screen_text(app)
        await pilot.press(*["pagedown"] * 4)  # to the last row, then past it
        await settle(pilot)
        assert table.row_count == 57 and not table.has_more
