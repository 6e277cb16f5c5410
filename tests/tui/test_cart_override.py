"""Cart: a price override asks the new price and the reason; the service decides who may give it."""

from __future__ import annotations

from decimal import Decimal

from oms_tui.screens.cart import CartScreen
from oms_tui.screens.price_override import PriceOverrideScreen
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import open_cart, screen_text, settle, type_text


async def override(pilot, price: str, reason: str) -> None:
    await pilot.press("down", "p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PriceOverrideScreen)
    await type_text(pilot, price)
    await pilot.press("enter")
    await type_text(pilot, reason)
    await pilot.press("f9")
    await settle(pilot)


async def test_an_operator_cannot_cut_beyond_the_limit_and_sees_why(office, make_app):
    app = make_app(operator="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await override(pilot, "20", "loyal customer")
        assert isinstance(app.screen, PriceOverrideScreen)  # still open, with the message as it is
        assert "a price cut over 10% needs a supervisor; alice is operator" in screen_text(app)
        line = app.services.cart.get(draft.id).lines[0]
        assert line.price_override is None and line.effective_price == Decimal("35.00")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert "Subtotal 70.00" in screen_text(app)


async def test_an_operator_may_cut_within_the_limit(office, make_app):
    app = make_app(operator="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await override(pilot, "33.00", "case price")
        assert isinstance(app.screen, CartScreen)
        assert app.services.cart.get(draft.id).lines[0].effective_price == Decimal("33.00")


async def test_an_admin_may_cut_deeper_and_the_line_is_marked(office, make_app):
    app = make_app(operator="root")
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await override(pilot, "20", "damaged label")
        assert isinstance(app.screen, CartScreen)
        line = app.services.cart.get(draft.id).lines[0]
        assert line.price_override == Decimal("20.00") and line.override_reason == "damaged label"
        text = screen_text(app)
        assert "*20.00" in text and "Subtotal 40.00" in text
        assert "price changed to 20.00 (was 35.00): damaged label" in text


async def test_a_price_without_a_reason_is_refused_in_the_modal(office, make_app):
    app = make_app(operator="root")
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 1),))
        await override(pilot, "30", "")
        assert isinstance(app.screen, PriceOverrideScreen)
        assert "give a reason for the price change" in screen_text(app)
        assert app.services.cart.get(draft.id).lines[0].price_override is None
