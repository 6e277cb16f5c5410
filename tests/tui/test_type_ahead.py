"""Keys typed ahead (a burst, nothing processed in between) land in the field they were meant for.

Each test sends its keys at once, as they arrive from a fast typist or over SSH, then reads every
field: the result must be what the same keys typed slowly would give.
"""

from __future__ import annotations

from decimal import Decimal

from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.confirmation import ConfirmationScreen
from oms_tui.screens.customer_form import CustomerFormScreen
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import open_cart, open_checkout
from tests.tui.pilot_helpers import send, settle
from tests.tui.test_customers_record import open_record


def values(screen, *names: str) -> dict[str, str]:
    return {name: screen.query_one(f"#{name}").value for name in names}


async def new_customer_form(app, pilot) -> CustomerFormScreen:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(app.screen, CustomerFormScreen)
    return app.screen


async def test_tab_tab_ctrl_u_from_email_clears_alt_phone_not_email(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_customer_form(app, pilot)
        for name, value in (
            ("email", "zelda@example.com"),
            ("phone", "503 555 0101"),
            ("alt_phone", "503 555 0199"),
        ):
            form.query_one(f"#{name}").value = value
        form.query_one("#email").focus()
        await settle(pilot)
        await send(pilot, ["tab", "tab", "ctrl+u"], "y")
        assert values(form, "email", "phone", "alt_phone") == {
            "email": "zelda@example.com",
            "phone": "503 555 0101",
            "alt_phone": "y",
        }
        assert app.focused.id == "alt_phone"


async def test_a_whole_customer_typed_in_one_burst(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_customer_form(app, pilot)
        await send(
            pilot,
            "Zelda",
            ["tab"],
            "Bady",
            ["enter"],
            "Bady Wines",
            ["enter"],
            "zelda@example.com",
            ["enter"],
            "5035550101",
            ["shift+tab"],
            ["ctrl+u"],
            "zelda@bady.example",
            ["tab", "tab"],
            "5035550199",
            ["enter", "enter"],
            ["space", "enter"],
            "call first",
            ["enter"],
            "1 Vine St",
            ["enter", "enter"],
            "Salem",
            ["enter"],
            "OR",
            ["enter"],
            "97301",
        )
        assert values(
            form,
            "first_name",
            "last_name",
            "company",
            "email",
            "phone",
            "alt_phone",
            "notes",
            "address1",
            "address2",
            "city",
            "state",
            "zip",
        ) == {
            "first_name": "Zelda",
            "last_name": "Bady",
            "company": "Bady Wines",
            "email": "zelda@bady.example",
            "phone": "5035550101",
            "alt_phone": "5035550199",
            "notes": "call first",
            "address1": "1 Vine St",
            "address2": "",
            "city": "Salem",
            "state": "OR",
            "zip": "97301",
        }
        assert form.query_one("#tax_exempt").value is True


async def test_expiry_then_code_typed_in_one_burst_in_the_card_form(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        await send(pilot, "5555 5555 5555 4444", ["enter"], "0429", ["enter"])
        await send(pilot, ["shift+tab", "ctrl+u"], "1228", ["enter", "ctrl+u"], "456")
        assert values(form, "card_expiry", "card_cvv") == {"card_expiry": "1228", "card_cvv": "456"}
        await send(pilot, ["f9"])
        cards = office.application.services.customers.get(office.customers["bob"]).cards
        assert [c.label for c in cards] == ["Mastercard ending 4444, exp 12/28"]


async def test_a_new_card_chosen_and_typed_in_one_burst_at_checkout(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        assert app.focused.id == "payment-method"
        await send(
            pilot,
            "n",
            ["enter"],
            "4111111111111111",
            ["enter"],
            "1230",
            ["enter"],
            "123",
            ["enter"],
            "Happy day",
        )
        view = app.services.cart.get(draft.id)
        assert (view.payment_method, view.payment_label) == ("card", "Visa ending 1111")
        assert app.focused.id == "gift-message"
        assert app.focused.value == "Happy day"


async def test_shipping_and_check_chosen_by_letters_in_one_burst(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await send(
            pilot,
            ["shift+tab"],
            "2",
            ["enter"],
            "ch",
            ["enter"],
            "1042",
            ["enter"],
            "For Dad",
            ["enter"],
            "ok",
        )
        view = app.services.cart.get(draft.id)
        assert view.shipping_method == "2DAY"
        assert view.payment_label == "Check #1042"
        assert values(app.screen, "gift-message", "notes") == {"gift-message": "For Dad", "notes": "ok"}


async def test_enter_in_notes_never_places_the_order(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#notes").focus()
        await send(pilot, "leave at door", ["enter"])
        assert isinstance(app.screen, CheckoutScreen)
        assert app.services.cart.get(draft.id).lines  # still a draft
        await send(pilot, ["f9"])
        assert isinstance(app.screen, ConfirmationScreen)
        assert app.services.orders.get(draft.id).notes == "leave at door"


async def test_price_and_reason_typed_in_one_burst(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await send(pilot, ["down", "p"], "33", ["enter"], "case price", ["enter", "f9"])
        assert isinstance(app.screen, CartScreen)
        line = app.services.cart.get(draft.id).lines[0]
        assert (line.price_override, line.override_reason) == (Decimal("33.00"), "case price")


async def test_an_address_typed_in_one_burst(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await send(
            pilot,
            "office",
            ["enter", "ctrl+u"],
            "Bob Jones",
            ["enter", "enter"],
            "9 Pier St",
            ["enter", "enter"],
            "Newark",
            ["enter"],
            "NJ",
            ["enter"],
            "07102",
            ["shift+tab", "shift+tab"],
            "x",
        )
        assert values(form, "label", "name", "address1", "city", "state", "zip") == {
            "label": "office",
            "name": "Bob Jones",
            "address1": "9 Pier St",
            "city": "Newarkx",
            "state": "NJ",
            "zip": "07102",
        }
