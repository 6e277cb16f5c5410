"""Backspace and ctrl+u followed by text, in one burst, in every form's boxes: nothing is lost.

The trial saw keys after a Backspace or a ctrl+u go missing when they came in the same burst.
Each test types into a box, then sends the corrections and the new text at once (as a fast typist
or an SSH connection delivers them) and reads the box: it must hold what the same keys typed
slowly give. Then it moves on with Enter and does the same in the next box.
"""

from __future__ import annotations

import pytest

from oms_tui.screens.card_form import CardFormScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.price_override import PriceOverrideScreen
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import open_cart, open_checkout
from tests.tui.pilot_helpers import send, settle
from tests.tui.test_customers_record import open_record
from tests.tui.test_type_ahead import new_customer_form

LETTERS = ("abcd", "abxy", "new", "new2")  # typed, after two Backspaces and "xy", after ctrl+u...
DIGITS = ("1234", "1256", "0429", "0428")


async def correct_in_one_burst(pilot, text: tuple[str, str, str, str], then: list[str]) -> list[str]:
    """In the focused box: clear it and type, fix it with Backspace and more text (one burst);
    clear it again, type, Backspace, more text (another); return what the box held after each
    burst. Then ``then`` is sent, to move on.
    """
    typed, _, fresh, _ = text
    box = pilot.app.focused
    seen = []
    await send(pilot, ["ctrl+u"], typed, ["backspace", "backspace"], text[1][len(typed) - 2 :])
    seen.append(box.value)
    await send(pilot, ["ctrl+u"], fresh, ["backspace"], text[3][len(fresh) - 1 :])
    seen.append(box.value)
    await send(pilot, then)
    return seen


async def test_customer_form(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_customer_form(app, pilot)
        for box in ("first_name", "last_name", "company"):
            assert app.focused.id == box
            assert await correct_in_one_burst(pilot, LETTERS, ["enter"]) == list(LETTERS[1::2])


async def test_address_form(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await send(pilot, ["a"])
        for _ in ("label", "name", "company"):
            assert await correct_in_one_burst(pilot, LETTERS, ["enter"]) == list(LETTERS[1::2])


async def test_card_form(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        await send(pilot, ["c"])
        assert isinstance(app.screen, CardFormScreen)
        assert await correct_in_one_burst(pilot, DIGITS, ["enter"]) == list(DIGITS[1::2])  # number
        assert await correct_in_one_burst(pilot, DIGITS, ["enter"]) == list(DIGITS[1::2])  # expiry
        assert await correct_in_one_burst(pilot, ("123", "145", "987", "982"), []) == ["145", "982"]


@pytest.mark.parametrize("box", ["gift-message", "notes"])
async def test_checkout_text(make_app, office, box):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one(f"#{box}").focus()
        await settle(pilot)
        assert await correct_in_one_burst(pilot, LETTERS, []) == list(LETTERS[1::2])
        assert isinstance(app.screen, CheckoutScreen)
        view = app.services.cart.get(draft.id)
        assert getattr(view, box.replace("-", "_")) == LETTERS[3]


async def test_checkout_check_number(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await send(pilot, "ch", ["enter"])
        assert app.focused.id == "check-number"
        assert await correct_in_one_burst(pilot, DIGITS, ["enter"]) == list(DIGITS[1::2])
        assert app.services.cart.get(draft.id).payment_label == f"Check #{DIGITS[3]}"


async def test_price_override(make_app, office):
    app = make_app(operator="root")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await send(pilot, ["down", "p"])
        assert isinstance(app.screen, PriceOverrideScreen)
        assert await correct_in_one_burst(pilot, ("3350", "3399", "3125", "3128"), ["enter"]) == [
            "3399",
            "3128",
        ]
        assert await correct_in_one_burst(pilot, LETTERS, []) == list(LETTERS[1::2])
