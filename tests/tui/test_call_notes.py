"""Call notes: n on the Customer and Order screens asks for the note, then lists it (who, when, text
shown literally); the order's notes show on its customer too."""

from __future__ import annotations

from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.order import OrderScreen
from oms_tui.screens.reason import ReasonDialog
from tests.fakes import SKU_CABERNET
from tests.tui.pilot_helpers import open_order, place_order, screen_text, settle
from tests.tui.test_customers_record import open_record


async def test_n_adds_a_note_on_the_order_and_on_the_customer(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    services = office.application.services
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"[b]where is it", "f9")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert [n.text for n in services.notes.for_order(order.id)] == ["[b]where is it"]
        assert "[b]where is it" in screen_text(app)

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "[b]where is it" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"wants a catalogue", "f9")
        await settle(pilot)
        notes = services.notes.for_customer(office.customers["ann"])
        assert [n.text for n in notes] == ["wants a catalogue", "[b]where is it"]
        text = screen_text(app)
        assert "wants a catalogue" in text and "Call notes (newest first" in text


async def test_esc_adds_no_note(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"never mind", "escape")  # typing was done: Esc asks first, y discards
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert office.application.services.notes.for_customer(office.customers["ann"]) == ()
