"""Checkout: payment choices, a new card typed by the operator, declines and gateway failures."""

from __future__ import annotations

from textual.widgets import Input, Select

from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.confirmation import ConfirmationScreen
from oms_tui.widgets.payment import PaymentChooser
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX
from tests.tui.cart_helpers import open_checkout, screen_text, settle, type_text

VISA = "4111 1111 1111 1111"


async def choose_payment(pilot, label: str) -> None:
    """Choose the option called ``label`` in the payment dropdown, then Enter (moves on)."""
    chooser = pilot.app.screen.query_one(PaymentChooser)
    select = chooser.select
    value = next(value for prompt, value in select._options if str(prompt) == label)
    select.focus()
    await pilot.pause()
    select.value = value  # what typing its first letters does
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def offered(app) -> list[str]:
    select = app.screen.query_one(PaymentChooser).select
    return [str(prompt) for prompt, value in select._options if value is not Select.NULL]


def stock(app) -> dict[str, int]:
    found = [p for sku in (SKU_CABERNET, SKU_GIFT_BOX) for p in app.services.cart.find_products(sku)]
    return {p.sku: p.stock_on_hand for p in found}


async def test_a_declined_card_shows_the_reason_and_leaves_the_draft_untouched(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, who="dee", lines=((SKU_CABERNET, 2), (SKU_GIFT_BOX, 1)))
        stock_before = stock(app)
        before = app.services.cart.get(draft.id)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        text = screen_text(app)
        assert "DECLINED" in text
        assert "Visa ending 0002 declined: Card declined (do not honor)" in text
        assert "Nothing was charged" in text
        after = app.services.cart.get(draft.id)  # raises if it were no longer a draft
        assert after.lines == before.lines and after.version == before.version
        assert after.payment_label == before.payment_label
        assert stock(app) == stock_before


async def test_a_new_card_is_tokenised_masked_and_cleared(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        assert app.focused.id == "card-number"
        await type_text(pilot, VISA)
        await pilot.press("enter")
        await type_text(pilot, "12/30")
        await pilot.press("enter")
        await type_text(pilot, "123")
        await pilot.press("enter")
        await settle(pilot)
        view = app.services.cart.get(draft.id)
        assert view.payment_method == "card" and view.payment_label == "Visa ending 1111"
        assert all(box.value == "" for box in app.screen.query_one(PaymentChooser).card.query(Input))
        text = screen_text(app)
        assert "4111" not in text.replace("ending 1111", "")
        assert "New card: Visa ending 1111" in text
        assert app.focused.id == "gift-message"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        assert app.services.orders.get(draft.id).payments[0].label == "Visa ending 1111"


async def test_f9_with_a_card_typed_tokenises_it_first(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        await type_text(pilot, "5555555555554444")
        await pilot.press("enter")
        await type_text(pilot, "0128")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmationScreen)
        assert app.services.orders.get(draft.id).payments[0].label == "Mastercard ending 4444"


async def test_a_mistyped_card_number_is_refused_beside_the_payment(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        await type_text(pilot, "4111111111111112")
        await pilot.press("enter")
        await type_text(pilot, "1230")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "card number is not valid (check the digits)" in screen_text(app)
        assert app.focused.id == "card-number"
        assert app.services.cart.get(draft.id).payment_method == "card_on_file"


async def test_a_new_card_chosen_but_not_typed_stops_f9(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        assert "type the card number" in screen_text(app)
        assert app.services.cart.get(draft.id).payment_method == "card_on_file"


async def test_on_account_is_offered_to_wholesale_and_not_to_retail(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, who="bob", lines=((SKU_CABERNET, 1),))
        assert "On account" in offered(app)
        # Bob has no card on file: like a bulk order, his order goes on his account.
        assert app.services.cart.get(draft.id).payment_method == "on_account"
        assert "choose a payment method" not in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        await open_checkout(pilot, office, who="ann", lines=((SKU_CABERNET, 1),))
        assert "On account" not in offered(app)
        assert offered(app)[0] == "Visa ending 1111, exp 12/30"


async def test_a_check_is_saved_with_its_number(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "Check")
        assert app.focused.id == "check-number"
        await type_text(pilot, "1042")
        await pilot.press("enter")
        await settle(pilot)
        assert app.services.cart.get(draft.id).payment_label == "Check #1042"


async def test_a_gateway_that_does_not_answer_charges_nothing(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        await type_text(pilot, "4000000000000119")
        await pilot.press("enter")
        await type_text(pilot, "1230")
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        text = screen_text(app)
        assert "did not answer" in text and "nothing was charged" in text
        assert app.services.cart.get(draft.id).lines  # still a draft


async def test_a_half_typed_card_is_cleared_when_another_payment_is_chosen(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_payment(pilot, "New card")
        await type_text(pilot, "4111 1111")
        await choose_payment(pilot, "Cash")
        assert all(box.value == "" for box in app.screen.query_one(PaymentChooser).card.query(Input))
        assert app.services.cart.get(draft.id).payment_label == "Cash"
