"""Checkout: addresses, shipping, gift message and notes are saved on the draft as they are chosen."""

from __future__ import annotations

from oms_core.domain.customers import Address
from oms_tui.screens.address_picker import AddressPickerScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.one_off_address import OneOffAddressScreen
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import open_checkout, screen_text, settle, type_text


async def test_the_shipping_method_changes_the_charge_and_the_total(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        assert "Shipping 9.95" in screen_text(app)
        app.screen.query_one("#shipping-method").value = "2DAY"
        await settle(pilot)
        view = app.services.cart.get(draft.id)
        assert view.shipping_method == "2DAY"
        assert f"Total {view.total:,.2f}" in screen_text(app)
        assert "Shipping 14.00" in screen_text(app)


async def test_a_one_off_ship_to_is_typed_in_a_modal_and_checked_by_the_service(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#ship-to").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddressPickerScreen)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OneOffAddressScreen)
        await type_text(pilot, "Ann's Mother")
        await pilot.press("enter", "enter")  # name, company
        await type_text(pilot, "5 Elm Rd")
        await pilot.press("enter", "enter")  # address, address 2
        await type_text(pilot, "Salem")
        await pilot.press("enter")
        await type_text(pilot, "ZZ")
        await pilot.press("enter")
        await type_text(pilot, "97301")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, OneOffAddressScreen)
        assert "not a US state code" in screen_text(app)
        assert app.focused.id == "address-state"
        await pilot.press("backspace", "backspace")
        await type_text(pilot, "OR")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        view = app.services.cart.get(draft.id)
        assert view.ship_to == Address(
            name="Ann's Mother", address1="5 Elm Rd", city="Salem", state="OR", zip="97301"
        )
        assert view.ship_to_address_id is None
        assert "5 Elm Rd, Salem, OR 97301  (one-off)" in screen_text(app)


async def test_the_ship_to_is_chosen_from_the_address_book(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        customer = app.services.customers.get(office.customers["ann"])
        app.services.customers.save_address(
            customer.id,
            Address(name="Ann Smith", address1="77 Beach Ave", city="Cannon Beach", state="OR", zip="97110"),
            label="Beach house",
        )
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#ship-to").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddressPickerScreen)
        assert "Beach house: Ann Smith, 77 Beach Ave" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert app.services.cart.get(draft.id).ship_to.address1 == "77 Beach Ave"
        assert "77 Beach Ave, Cannon Beach" in screen_text(app)


async def test_the_checkout_reads_the_address_book_only_when_the_ship_to_is_changed(
    office, make_app, monkeypatch
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        customers = app.services.customers
        books: list[int] = []
        real_get, real_book = customers.get, customers.address_book

        def counted_book(customer_id: int):
            books.append(customer_id)
            return real_book(customer_id)

        def whole_record(customer_id: int):
            books.append(customer_id)
            return real_get(customer_id)

        monkeypatch.setattr(customers, "get", whole_record)
        monkeypatch.setattr(customers, "address_book", counted_book)
        await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        assert "Visa ending 1111" in screen_text(app)  # the cards on offer, without the book
        assert books == []
        app.screen.query_one("#ship-to").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddressPickerScreen)
        assert "Ann Smith, 12 Oak St, Portland" in screen_text(app)
        assert books == [office.customers["ann"]]


async def test_gift_message_and_notes_are_saved_when_the_cursor_leaves_them(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#gift-message").focus()
        await pilot.pause()
        await type_text(pilot, "Happy birthday [b]Mum[/b]")
        await pilot.press("enter")
        assert app.focused.id == "notes"
        await type_text(pilot, "leave at the door")
        await pilot.press("shift+tab")
        await settle(pilot)
        view = app.services.cart.get(draft.id)
        assert view.gift_message == "Happy birthday [b]Mum[/b]"
        assert view.notes == "leave at the door"


async def test_what_stops_the_order_is_shown_beside_its_field(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, who="markup", lines=((SKU_CABERNET, 1),))
        problem = app.screen.query_one("#problem-payment")
        assert "choose a payment method" in str(problem.render())
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert "NOT PLACED" in screen_text(app)


async def test_a_customer_named_like_markup_is_shown_literally(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, who="markup", lines=((SKU_CABERNET, 1),))
        text = screen_text(app)
        assert "[bold red]x[/] Markup" in text
        assert "[b]Esc[/b], 1 Main St, Boston, MA 02134" in text


async def test_at_80_columns_a_long_ship_to_is_shown_whole_to_read_back_to_the_caller(office, make_app):
    """A ship-to with a company and a suite did not fit one line at 80 columns: it was cut before
    the state and ZIP, which the operator reads back to the caller.
    """
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#ship-to").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OneOffAddressScreen)
        await type_text(pilot, "Justin Miller")
        await pilot.press("enter")
        await type_text(pilot, "Cedar Trattoria Co.")
        await pilot.press("enter")
        await type_text(pilot, "4773 Mill Street")
        await pilot.press("enter")
        await type_text(pilot, "Suite 200")
        await pilot.press("enter")
        await type_text(pilot, "Lawrence")
        await pilot.press("enter")
        await type_text(pilot, "KS")
        await pilot.press("enter")
        await type_text(pilot, "66044")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        shown = screen_text(app)
        assert "Justin Miller, Cedar Trattoria Co., 4773 Mill Street, Suite" in shown
        assert "200, Lawrence, KS 66044  (one-off)" in shown  # on a second line, whole
