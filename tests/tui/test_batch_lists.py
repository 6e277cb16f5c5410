"""The bulk-order and club-shipment lists page like the Orders screen: PageDown on the last row
loads the page after it (keyset), with no batch twice, even when batches share a created time."""

from __future__ import annotations

from oms_tui.screens.bulk_order import BulkOrdersScreen
from oms_tui.widgets.paged_table import PagedTable
from tests.fakes import SKU_CABERNET
from tests.tui.pilot_helpers import screen_text, settle


def listed(app) -> list[str]:
    return [key for key, _ in app.screen.query_one(PagedTable)._page_rows]


async def test_pagedown_at_the_bottom_of_the_bulk_orders_loads_the_older_ones(make_app, office, monkeypatch):
    monkeypatch.setattr("oms_tui.widgets.batch_tables.LIST_PAGE", 2)
    bulk = office.application.services.bulk
    # The office's clock stands still: every batch is made in the same instant, so ids decide.
    made = [str(bulk.create(f"Gifts {i}", [(SKU_CABERNET, 1)], "GROUND").id) for i in range(5)]
    newest_first = list(reversed(made))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, BulkOrdersScreen)
        assert listed(app) == newest_first[:2]
        await pilot.press("down", "pagedown")
        await settle(pilot)
        assert listed(app) == newest_first[:4]
        await pilot.press(
            "pagedown", "pagedown"
        )  # to the last row (the page's first is highlighted), then on
        await settle(pilot)
        assert listed(app) == newest_first
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        assert listed(app) == newest_first
        assert "Gifts 0" in screen_text(app)
