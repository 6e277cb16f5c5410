"""Snapshots at 80x24 of the Quick Order Pad, a Bulk Order's preview and a processed Club Shipment.

Deterministic: the office's fixed clock and data, no cursor blink, no toasts. Update with
``pytest tests/snapshots/test_batch_snapshots.py --snapshot-update`` and read the SVGs' text.
"""

from __future__ import annotations

from datetime import date

from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX
from tests.tui.batch_helpers import paste, settle, steady_cursors
from tests.tui.conftest import make_app, office  # noqa: F401 - fixtures
from tests.unit.batch_helpers import add_customer

SIZE = (80, 24)
PAD = "WINE-CAB-2019 2\nGIFT-BOX x9\nWINE-CAB-2091 1\nOLD-MAGNUM\ncork-screw,3\nWINE-CHARD-2021 lots"


async def still(pilot) -> None:
    """Let everything settle, then stop what moves."""
    await settle(pilot)
    steady_cursors(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_quick_order_pad_with_problems(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        app = pilot.app
        await settle(pilot)
        draft = app.services.cart.start(office.customers["ann"])
        app.open_cart(draft.id)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await paste(pilot, PAD)
        await settle(pilot)
        app.screen.set_focus(None)  # no text cursor: its line highlight follows the blink timer
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_bulk_order_preview(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        app = pilot.app
        await settle(pilot)
        lines = [(SKU_CABERNET, 2), (SKU_GIFT_BOX, 1)]
        batch = app.services.bulk.create("Holiday gifts", lines, "GROUND", list(office.customers.values()))
        app.open_bulk_order(batch.id)
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_club_shipment_processed(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        app = pilot.app
        services = app.services
        for name in ("Avery", "Blake"):
            add_customer(services, name, type_code="WINECLUB")
        add_customer(services, "Casey", type_code="WINECLUB", status="on_hold")
        add_customer(services, "Drew", type_code="WINECLUB", address=None)
        shipment = services.clubs.create_shipment(
            "Fall 2026 release", "WINECLUB", [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND"
        )
        await settle(pilot)
        app.open_club_shipment(shipment.id)
        await settle(pilot)
        await pilot.press("f9", "y")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
