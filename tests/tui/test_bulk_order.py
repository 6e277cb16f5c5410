"""Bulk Order: make one, add customers three ways, preview, run, run again, export."""

from __future__ import annotations

import openpyxl
from textual.widgets import Input

from oms_tui.screens.ask import AskScreen
from oms_tui.screens.batch_new import ExportPathScreen, NewBatchScreen
from oms_tui.screens.bulk_customers import CustomerPickScreen, PasteListScreen, TypePickScreen
from oms_tui.screens.bulk_order import BulkOrderScreen, BulkOrdersScreen
from oms_tui.screens.quick_pad import QuickPadScreen
from tests.fakes import SKU_CABERNET
from tests.tui.batch_helpers import paste, settle, type_text
from tests.tui.pilot_helpers import screen_text


async def _make_bulk_order(pilot) -> BulkOrderScreen:
    app = pilot.app
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    assert isinstance(app.screen, BulkOrdersScreen)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, NewBatchScreen)
    await type_text(pilot, "Holiday gifts")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, QuickPadScreen)
    await type_text(pilot, f"{SKU_CABERNET} 2")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, BulkOrderScreen)
    return app.screen


async def test_a_bulk_order_from_start_to_results(office, make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _make_bulk_order(pilot)
        assert "Bulk order 1: Holiday gifts" in screen_text(app)

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PasteListScreen)
        await paste(pilot, "ann.smith@example.com, C000002\ndee@example.com nobody@example.org")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.view.counts.total == 3
        assert any("not found: nobody@example.org" in n.message for n in app._notifications)

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, CustomerPickScreen)
        await type_text(pilot, "markup")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "added (1 added so far)" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view.counts.total == 4

        await pilot.press("p")
        await settle(pilot)
        text = screen_text(app)
        assert "Preview: 4 to order, 3 ready" in text
        assert "no card on file" in text

        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await pilot.press("y")
        await settle(pilot)
        assert screen.view.counts.placed == 2 and screen.view.counts.failed == 2
        text = screen_text(app)
        assert "Done: 2 placed, 2 failed, 0 skipped of 4 tried" in text
        assert "declined" in text

        await pilot.press("f9", "y")
        await settle(pilot)
        assert "Done: 0 placed, 2 failed, 0 skipped of 2 tried" in screen_text(app)
        bulk_orders = [o for o in app.services.orders.list() if o.source == "bulk"]
        assert len(bulk_orders) == 2

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportPathScreen)
        app.screen.query_one(Input).value = str(tmp_path / "missing" / "gifts")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ExportPathScreen)  # refused in the form, no folder made
        assert "there is no folder" in screen_text(app)
        assert not (tmp_path / "missing").exists()
        app.screen.query_one(Input).value = str(tmp_path / "gifts")
        await pilot.press("f9")
        await settle(pilot)
        assert openpyxl.load_workbook(tmp_path / "gifts.xlsx")["Results"].max_row == 5


async def test_customers_of_a_type_are_added_and_removed_before_the_run(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _make_bulk_order(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TypePickScreen)
        await pilot.press("down", "enter")  # Retail, then Wholesale
        await settle(pilot)
        assert screen.view.counts.total == 1
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("tab", "delete")
        await settle(pilot)
        assert screen.view.counts.total == 0


async def test_a_stopped_run_is_resumed_by_f9(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        services = app.services
        batch = services.bulk.create("Stopped", [(SKU_CABERNET, 1)], "GROUND", [office.customers["ann"]])
        done = services.bulk.run(batch.id, should_stop=lambda: True)
        assert done.stopped and done.tried == 0
        await settle(pilot)
        app.open_bulk_order(batch.id)
        await settle(pilot)
        assert "[stopped]" in screen_text(app)
        await pilot.press("f9", "y")
        await settle(pilot)
        assert app.screen.view.counts.placed == 1
        assert "[finished]" in screen_text(app)
