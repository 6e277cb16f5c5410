"""Order holds on the Order screen (h hold with a reason and a note, u release it) and the Orders
list's "On hold" choice."""

from __future__ import annotations

from oms_tui.screens.hold_form import HoldForm
from oms_tui.screens.order import OrderScreen
from oms_tui.screens.orders import ON_HOLD
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import open_order, place_order, screen_text, settle
from tests.tui.test_orders_list import listed, open_orders


async def test_hold_by_first_letters_with_a_note_then_release_is_refused_until_unheld(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    services = office.application.services
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HoldForm)
        # One burst: "cu" picks customer request, Enter moves to the note, F9 holds.
        await pilot.press(*"cu", "enter", *"[red]call Fri[/red]", "f9")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        view = services.orders.get(order.id)
        assert view.hold.startswith("customer request: [red]call Fri[/red] (by ")
        assert "ON HOLD customer request: [red]call Fri[/red]" in screen_text(app)

        await pilot.press("l")  # greyed out while held
        await settle(pilot)
        assert services.orders.get(order.id).status == "placed"
        assert not app.screen.check_action("release", ())

        await pilot.press("u")
        await settle(pilot)
        assert not services.orders.get(order.id).is_held
        assert "ON HOLD" not in screen_text(app)
        await pilot.press("l")
        await settle(pilot)
        assert services.orders.get(order.id).status == "released"
        actions = [e.action for e in services.orders.get(order.id).audit]
        assert actions[-3:] == ["held", "hold released", "released"]


async def test_arrows_choose_the_reason_and_esc_holds_nothing(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    services = office.application.services
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert not services.orders.get(order.id).is_held

        await pilot.press("h")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "f9")  # the fifth reason: weather
        await settle(pilot)
        assert services.orders.get(order.id).hold.startswith("weather (by ")


async def test_the_orders_list_shows_only_held_orders_on_hold(make_app, office):
    services = office.application.services
    held = place_order(office, "ann", [(SKU_CABERNET, 1)])
    place_order(office, "bob", [(SKU_CHARDONNAY, 1)])
    services.holds.place(held.id, "address check")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(app, pilot)
        assert len(listed(app)) == 2
        screen.query_one("#status-filter").value = ON_HOLD
        await settle(pilot)
        assert listed(app) == [str(held.id)]
