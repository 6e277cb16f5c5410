"""Checkout: placing an order from the cart, the confirmation, and the duplicate warning."""

from __future__ import annotations

from textual.widgets import Digits

from oms_tui.screens.ask import AskScreen
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.confirmation import ConfirmationScreen
from oms_tui.widgets.payment import PaymentChooser
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX
from tests.tui.cart_helpers import open_cart, open_checkout, screen_text, settle, type_text

THREE_ITEMS = ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1), (SKU_GIFT_BOX, 1))


async def test_f9_twice_places_the_order_with_the_card_on_file(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=THREE_ITEMS)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert app.screen.query_one(PaymentChooser).selected == (
            "card_on_file",
            app.screen.detail.cards[0].id,
        )
        text = screen_text(app)
        assert "Visa ending 1111, exp 12/30" in text
        assert "12 Oak St, Portland, OR 97205" in text
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        order = app.services.orders.get(draft.id)
        assert order.status == "placed" and order.number is not None
        assert app.screen.query_one(Digits).value == str(order.number)
        text = screen_text(app)
        assert f"Order {order.number}" in text and "Ann Smith" in text and "Visa ending 1111" in text


async def test_three_items_with_the_card_on_file_take_eight_keys_from_the_cart(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        keys = 0
        for sku, quantity in THREE_ITEMS:
            await type_text(pilot, sku)
            await pilot.press("enter")
            await type_text(pilot, str(quantity))
            await pilot.press("enter")
            keys += 2
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        keys += 2
        assert isinstance(app.screen, ConfirmationScreen)
        assert len(app.services.orders.get(draft.id).lines) == 3
        assert keys == 8


async def test_the_confirmation_replaces_the_cart_and_checkout(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        assert not any(isinstance(s, (CartScreen, CheckoutScreen)) for s in app.screen_stack)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (CartScreen, CheckoutScreen, ConfirmationScreen))


async def test_a_second_identical_order_asks_before_placing(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await open_checkout(pilot, office, lines=((SKU_CABERNET, 2),))
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        first_number = app.services.orders.get(first.id).number
        await pilot.press("escape")
        await settle(pilot)

        second = await open_checkout(pilot, office, lines=((SKU_CABERNET, 2),))
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        assert f"order {first_number} with the same items was placed for this customer" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert app.services.cart.get(second.id).lines  # still a draft

        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        assert app.services.orders.get(second.id).number == first_number + 1


async def test_next_order_from_the_confirmation_starts_identify(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "IdentifyScreen"
        assert not any(isinstance(s, ConfirmationScreen) for s in app.screen_stack)
