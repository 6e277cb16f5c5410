"""Nothing typed is lost by a slip of Esc: a form with typing asks first, and y is the one key
that discards it.
"""

from __future__ import annotations

from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.customer_form import CustomerFormScreen
from oms_tui.screens.customers import CustomersScreen
from oms_tui.widgets.form import DiscardTyping
from tests.tui.pilot_helpers import screen_text, send, settle
from tests.tui.test_customers_record import open_record


async def test_esc_on_a_filled_new_customer_asks_and_n_keeps_the_typing(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, ["ctrl+n"], "Zelda", ["tab"], "Bady", ["escape"])
        assert isinstance(app.screen, DiscardTyping)
        assert "Discard what you typed?" in screen_text(app)
        await send(pilot, ["n"])
        assert isinstance(app.screen, CustomerFormScreen)
        assert app.screen.query_one("#first_name").value == "Zelda"
        await send(pilot, ["escape", "escape"])  # Esc on the question keeps the typing too
        assert isinstance(app.screen, CustomerFormScreen)
        await send(pilot, ["escape", "y"])
        assert isinstance(app.screen, CustomersScreen)


async def test_esc_on_an_empty_form_closes_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, ["ctrl+n"])
        assert isinstance(app.screen, CustomerFormScreen)
        await send(pilot, ["escape"])
        assert isinstance(app.screen, CustomersScreen)


async def test_esc_on_a_card_or_an_address_typed_asks_first(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, "jones")
        for key, typed in (("c", "4111"), ("a", "home")):
            await send(pilot, [key], typed, ["escape"])
            assert isinstance(app.screen, DiscardTyping), key
            await send(pilot, ["y"])
            assert isinstance(app.screen, CustomerScreen)
        await settle(pilot)
