"""The Customer record: details, address book, cards, orders, drafts, and the keys that act."""

from __future__ import annotations

from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.customers import CustomersScreen
from oms_tui.widgets.paged_table import PagedTable
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import place_order, screen_text, settle, type_text


async def open_record(app, pilot, query: str) -> CustomerScreen:
    await type_text(pilot, query)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, CustomerScreen)
    return app.screen


async def test_the_record_shows_contact_address_book_card_and_recent_orders(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        text = screen_text(app)
        for shown in (
            "C000001",
            "Ann Smith",
            "Retail",
            "ann.smith@example.com",
            "(503) 274-1234",
            "ship+bill Ann Smith, 12 Oak St, Portland, OR 97205",
            "Visa ending 1111, exp 12/30",
        ):
            assert shown in text, shown
        assert "4111111111111111" not in text
        orders = app.screen.query_one("#recent-orders", PagedTable)
        assert orders.highlighted_key == str(order.id)


async def test_o_starts_a_draft_for_the_customer_and_opens_its_cart(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        await pilot.press("o")
        await settle(pilot)
        drafts = office.application.services.cart.my_drafts()
        assert [d.customer_id for d in drafts] == [office.customers["ann"]]
        assert type(app.screen).__name__ == "CartScreen"


async def test_enter_on_a_recent_order_opens_it(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == order.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)


async def test_r_reorders_the_highlighted_order_into_a_new_draft(make_app, office):
    place_order(office, "ann", [(SKU_CABERNET, 2), (SKU_CHARDONNAY, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        await pilot.press("r")
        await settle(pilot)
        services = office.application.services
        (draft,) = services.cart.my_drafts()
        cart = services.cart.get(draft.id)
        assert [(line.sku, line.quantity) for line in cart.lines] == [(SKU_CABERNET, 2), (SKU_CHARDONNAY, 1)]
        assert type(app.screen).__name__ == "CartScreen"


async def test_enter_on_an_open_draft_resumes_it(make_app, office):
    draft = office.application.services.cart.start(office.customers["bob"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, "jones")
        drafts = screen.query_one("#open-drafts", PagedTable)
        assert drafts.highlighted_key == str(draft.id)
        assert app.focused is drafts  # no past orders: the drafts have the cursor
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CartScreen"
        assert app.screen.draft_id == draft.id


async def test_a_adds_an_address_to_the_book(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "Warehouse")
        await pilot.press("enter", "enter", "enter")  # label -> name -> company -> street
        await type_text(pilot, "5 Dock Rd")
        await pilot.press("enter", "enter")
        await type_text(pilot, "Newark")
        await pilot.press("enter")
        await type_text(pilot, "nj")
        await pilot.press("enter")
        await type_text(pilot, "7102")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        detail = office.application.services.customers.get(office.customers["bob"])
        added = [a for a in detail.addresses if a.label == "Warehouse"]
        assert [(a.address.city, a.address.state, a.address.zip) for a in added] == [
            ("Newark", "NJ", "07102")
        ]
        assert "Warehouse: " in screen_text(app)


async def test_a_bad_state_in_the_address_form_is_shown_and_nothing_is_saved(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#address1").value = "5 Dock Rd"
        app.screen.query_one("#city").value = "Newark"
        app.screen.query_one("#state").value = "XX"
        app.screen.query_one("#zip").value = "07102"
        await pilot.press("f9")
        await settle(pilot)
        assert "state 'XX' is not a US state code" in screen_text(app)
        assert len(office.application.services.customers.get(office.customers["bob"]).addresses) == 1


async def test_c_adds_a_card_keeping_only_brand_last_four_and_expiry(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "5555 5555 5555 4444")
        await pilot.press("enter")
        number = app.screen.query_one("#card_number")
        assert number.password  # masked once entered
        assert "Mastercard ending 4444" in screen_text(app)
        assert "5555 5555 5555 4444" not in screen_text(app)
        await type_text(pilot, "04/29")
        await pilot.press("enter")
        await type_text(pilot, "123")
        await pilot.press("enter")  # the last field: Enter stays
        assert type(app.screen).__name__ == "CardFormScreen"
        await pilot.press("f9")
        assert number.value == ""  # the number leaves the form when submitted
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        cards = office.application.services.customers.get(office.customers["bob"]).cards
        assert [c.label for c in cards] == ["Mastercard ending 4444, exp 04/29"]
        assert "Mastercard ending 4444, exp 04/29" in screen_text(app)


async def test_a_card_number_that_fails_its_check_digit_is_refused_beside_the_field(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "4111111111111112")
        await pilot.press("enter")
        assert "card number is not valid" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert type(app.screen).__name__ == "CardFormScreen"
        assert office.application.services.customers.get(office.customers["bob"]).cards == ()


async def test_e_edits_the_contact_details(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("e")
        await settle(pilot)
        company = app.screen.query_one("#company")
        company.value = "Acme Fine Wines"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        detail = office.application.services.customers.get(office.customers["bob"])
        assert detail.company == "Acme Fine Wines"
        assert detail.type_code == "WHOLESALE"  # untouched fields keep their values
        assert "Acme Fine Wines" in screen_text(app)


async def test_esc_goes_back_to_the_search(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "smith")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_an_expired_card_is_refused_beside_its_expiry(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "4111111111111111")
        await pilot.press("enter")
        await type_text(pilot, "10/26")  # the office clock says November 2026
        await pilot.press("enter")
        assert "the card has expired" in screen_text(app)
        await type_text(pilot, "123")
        await pilot.press("f9")
        await settle(pilot)
        assert app.focused.id == "card_expiry"
        assert office.application.services.customers.get(office.customers["bob"]).cards == ()
