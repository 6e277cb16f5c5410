"""Club Shipments: make a shipment, process it, see who was skipped or failed, retry after the fix."""

from __future__ import annotations

from datetime import date, timedelta

from oms_core.domain.customers import Address
from oms_tui.screens.ask import AskScreen
from oms_tui.screens.batch_new import NewBatchScreen
from oms_tui.screens.club_shipments import ClubShipmentScreen, ClubShipmentsScreen
from oms_tui.screens.quick_pad import QuickPadScreen
from tests.fakes import SKU_CABERNET
from tests.tui.batch_helpers import settle, type_text
from tests.tui.pilot_helpers import screen_text
from tests.unit.batch_helpers import add_customer

CLUB = "WINECLUB"


def _members(services) -> dict[str, int]:
    return {
        "good": add_customer(services, "Good", type_code=CLUB),
        "held": add_customer(services, "Held", type_code=CLUB, status="on_hold"),
        "nowhere": add_customer(services, "Nowhere", type_code=CLUB, address=None),
    }


async def test_a_shipment_is_made_from_the_list_with_club_prices(office, make_app):
    app = make_app()
    _members(app.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ClubShipmentsScreen)
        assert "Wine club (WINECLUB): 2 active, 1 on hold" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewBatchScreen)
        await type_text(pilot, "Fall 2026 release")
        await pilot.press("enter", "enter", "down", "enter")  # the club list: open, first club, pick
        await settle(pilot)
        await type_text(pilot, "2026-10-01")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, QuickPadScreen)
        await type_text(pilot, f"{SKU_CABERNET} 2")
        await settle(pilot)
        assert "31.50" in screen_text(app)  # 10 % club discount
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ClubShipmentScreen)
        text = screen_text(app)
        assert "Club shipment 1: Fall 2026 release" in text
        assert "Club: WINECLUB   Ships: 2026-10-01" in text
        assert app.screen.view.counts.total == 3


async def test_processing_lists_skipped_and_failed_members_and_a_retry_places_the_fixed(office, make_app):
    app = make_app()
    services = app.services
    ids = _members(services)
    shipment = services.clubs.create_shipment("Fall", CLUB, [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_club_shipment(shipment.id)
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await pilot.press("y")
        await settle(pilot)
        text = screen_text(app)
        assert "Done: 1 placed, 1 failed, 1 skipped of 3 tried" in text
        assert "member is on hold" in text
        assert "no ship-to address" in text

        await pilot.press("f")
        await settle(pilot)
        assert "Members failed" in screen_text(app)
        assert app.screen.members.table.row_count == 1

        services.customers.save_address(
            ids["nowhere"],
            Address(name="N", address1="2 Elm St", city="Portland", state="OR", zip="97205"),
            default_shipping=True,
        )
        office.clock.advance(timedelta(minutes=5))
        await pilot.press("f9", "y")
        await settle(pilot)
        assert "Done: 1 placed, 0 failed, 1 skipped of 2 tried" in screen_text(app)
        counts = services.clubs.get(shipment.id).counts
        assert (counts.placed, counts.skipped) == (2, 1)


async def test_a_run_can_be_stopped_and_leaving_the_screen_loses_nothing(office, make_app):
    app = make_app()
    services = app.services
    for i in range(6):
        add_customer(services, f"M{i}", type_code=CLUB)
    shipment = services.clubs.create_shipment("Big", CLUB, [(SKU_CABERNET, 1)], date(2026, 10, 1), "GROUND")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_club_shipment(shipment.id)
        await settle(pilot)
        screen = app.screen

        def job(progress, should_stop):
            def progress_then_stop(step):
                progress(step)
                if step.done == 2:  # the operator presses s after the first chunk
                    app.call_from_thread(pilot.app.screen.action_stop)

            return services.clubs.process(shipment.id, progress_then_stop, should_stop, chunk_size=2)

        screen.panel.start(job)
        await settle(pilot)
        assert services.clubs.get(shipment.id).status == "stopped"
        assert "Stopped: 2 placed, 0 failed, 0 skipped of 2 tried" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.open_club_shipment(shipment.id)
        await settle(pilot)
        await pilot.press("f9", "y")
        await settle(pilot)
        assert services.clubs.get(shipment.id).counts.placed == 6


async def test_f9_counts_what_is_left_now_when_the_shipment_ran_elsewhere_meanwhile(office, make_app):
    """The screen was open while `oms club process` (or another operator) ran the shipment: F9
    said "Place up to 2 club orders... each member's card is charged" for orders already placed.
    """
    app = make_app()
    services = app.services
    _members(services)
    shipment = services.clubs.create_shipment("Fall", CLUB, [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_club_shipment(shipment.id)
        await settle(pilot)
        assert app.screen.view.counts.to_do == 3
        services.clubs.process(shipment.id)  # the command line, in another process
        left = services.clubs.get(shipment.id).counts.to_do
        assert left < 3
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        assert f"Place up to {left} club order" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.view.counts.placed == 1  # and the screen shows it
