"""The Customer record: details, address book, cards, orders, drafts, and the keys that act."""

from __future__ import annotations

from oms_core.domain.customers import Address
from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.customers import CustomersScreen
from oms_tui.widgets.paged_table import PagedTable
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import place_order, screen_text, settle, shown_in, type_text


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


async def add_dock_address(app, pilot, ship_here: bool = False) -> None:
    """``a``, an address in Newark typed into the form, F9."""
    await pilot.press("a")
    await settle(pilot)
    fields = {"label": "Dock", "address1": "5 Dock Rd", "city": "Newark", "state": "NJ", "zip": "07102"}
    for field, value in fields.items():
        app.screen.query_one(f"#{field}").value = value
    app.screen.query_one("#ship_default").value = ship_here
    await pilot.press("f9")


async def test_a_saved_address_is_patched_into_the_book_without_reading_the_record_again(
    make_app, office, monkeypatch
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, "jones")
        customers = app.services.customers
        reads: list[int] = []
        real_get = customers.get

        def counted_get(customer_id: int):
            reads.append(customer_id)
            return real_get(customer_id)

        monkeypatch.setattr(customers, "get", counted_get)
        await add_dock_address(app, pilot, ship_here=True)
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(app)
        assert "ship      Dock: Bob Jones, Acme Wines, 5 Dock Rd, Newark, NJ 07102" in text
        assert "bill      Acme Wines, 1 Broadway, New York, NY 10004" in text  # the ship-to moved
        assert reads == []  # the book was patched, not read again
        [old, new] = screen.customer.addresses
        assert (old.is_default_shipping, new.is_default_shipping) == (False, True)
        assert customers.get(office.customers["bob"]).addresses == (old, new)  # as stored


async def test_a_big_book_shows_the_entries_that_fit_the_saved_one_and_how_many_more(make_app, office):
    bob = office.customers["bob"]
    customers = office.application.services.customers
    for i in range(10):
        place = Address(name=f"Gift {i}", address1=f"{i} Elm St", city="Portland", state="OR", zip="97205")
        customers.save_address(bob, place, label=f"gift {i}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        text = screen_text(app)
        assert "gift 3: " in text and "gift 4: " not in text
        assert "... and 6 more" in text
        await add_dock_address(app, pilot)
        await settle(pilot)
        text = screen_text(app)
        assert "Dock: Bob Jones, Acme Wines, 5 Dock Rd, Newark, NJ 07102" in text  # the 12th entry, shown
        assert "gift 3: " not in text
        assert "... and 7 more" in text
        await pilot.press("e")  # an edit of the contact hands back the record with the book's first entries
        await settle(pilot)
        app.screen.query_one("#company").value = "Acme Fine Wines"
        await pilot.press("f9")
        await settle(pilot)
        text = screen_text(app)
        assert "Acme Fine Wines" in text
        assert "gift 3: " in text and "gift 4: " not in text and "... and 7 more" in text


async def test_long_entries_never_push_how_many_more_out_of_the_book(make_app, office):
    """Entries too long for the line end in an ellipsis instead of wrapping, so the book's last
    line ("... and N more") is always in its seven lines."""
    bob = office.customers["bob"]
    customers = office.application.services.customers
    for i in range(10):
        street = f"{i} Long Winding Avenue of the Vineyards, Building {i}, Loading Dock North"
        place = Address(
            name=f"Gift {i}", company="Acme Wines", address1=street, city="Portland", state="OR", zip="97205"
        )
        customers.save_address(bob, place, label=f"gift {i}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, "jones")
        book = shown_in(app, screen.query_one("#addresses"))
        assert "... and 6 more" in book
        assert "gift 3: Gift 3, Acme Wines, 3 Long Winding" in book and "…" in book
        assert "gift 4" not in book


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
