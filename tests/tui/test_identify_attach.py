"""Identify (F4, New order): find or create the caller and attach them to the order."""

from __future__ import annotations

from oms_tui.screens.customer_form import CustomerFormScreen
from oms_tui.screens.duplicates import DuplicatesDialog
from oms_tui.screens.identify import IdentifyScreen
from tests.tui.pilot_helpers import screen_text, settle, type_text


def drafts_by_customer(office) -> list[int | None]:
    return [d.customer_id for d in office.application.services.cart.my_drafts()]


def stack_names(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


async def test_f4_search_and_enter_attach_the_customer_to_a_new_draft(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, IdentifyScreen)
        await type_text(pilot, "jones")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert drafts_by_customer(office) == [office.customers["bob"]]
        # The cart took Identify's place: Esc from it goes back to Customers.
        assert stack_names(app)[1:] == ["CustomersScreen", "CartScreen"]


async def test_f9_attaches_the_highlighted_customer(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await type_text(pilot, "dee@")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert drafts_by_customer(office) == [office.customers["dee"]]


async def test_identify_for_a_draft_attaches_the_customer_to_that_draft(make_app, office):
    services = office.application.services
    draft = services.cart.start()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_identify(draft.id)
        await settle(pilot)
        assert "draft" in screen_text(app)
        await type_text(pilot, "smith")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert drafts_by_customer(office) == [office.customers["ann"]]
        assert services.cart.get(draft.id).customer.number == "C000001"
        assert type(app.screen).__name__ == "CartScreen"
        assert app.screen.draft_id == draft.id


async def test_ctrl_n_creates_a_customer_who_is_attached_to_the_new_draft(make_app, office):
    services = office.application.services
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, CustomerFormScreen)
        await type_text(pilot, "Eve")
        await pilot.press("enter")
        await type_text(pilot, "Adams")
        await pilot.press("enter", "enter")
        await type_text(pilot, "eve@example.com")
        await pilot.press("enter")
        await type_text(pilot, "503-555-0142")
        form = app.screen
        form.query_one("#address1").value = "8 Birch Ln"
        form.query_one("#city").value = "Bend"
        form.query_one("#state").value = "OR"
        form.query_one("#zip").value = "97701"
        await pilot.press("f9")
        await settle(pilot)
        (eve,) = services.customers.search("eve@example.com")
        assert drafts_by_customer(office) == [eve.id]
        (draft,) = services.cart.my_drafts()
        cart = services.cart.get(draft.id)
        assert cart.ship_to is not None and cart.ship_to.city == "Bend"
        assert stack_names(app)[1:] == ["CustomersScreen", "CartScreen"]


async def test_a_duplicate_email_then_use_existing_attaches_the_customer_on_file(make_app, office):
    services = office.application.services
    before = len(services.customers.search("C0", limit=200))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        form.query_one("#first_name").value = "Bobby"
        form.query_one("#last_name").value = "Jones"
        form.query_one("#email").value = "BOB@acme.example"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesDialog)
        await pilot.press("enter")  # Enter uses the highlighted customer on file
        await settle(pilot)
        assert drafts_by_customer(office) == [office.customers["bob"]]
        assert len(services.customers.search("C0", limit=200)) == before


async def test_esc_leaves_identify_without_starting_a_draft(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "CustomersScreen"
        assert drafts_by_customer(office) == []
