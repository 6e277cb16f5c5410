"""Cart: adding lines by SKU and quantity, changing and removing them; totals follow every edit."""

from __future__ import annotations

from oms_tui.screens.cart import CartScreen
from oms_tui.widgets.cart_table import CartTable
from tests.fakes import SKU_CABERNET


async def open_cart(pilot, office, who="ann"):
    app = pilot.app
    draft = app.services.cart.start(office.customers[who])
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.open_cart(draft.id)
    await settle(pilot)
    assert isinstance(app.screen, CartScreen)
    return draft


async def settle(pilot):
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_typing_a_sku_and_quantity_adds_the_line(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await pilot.press(*SKU_CABERNET, "enter", "3", "enter")
        await settle(pilot)
        view = app.services.cart.get(draft.id)
        assert [(ln.sku, ln.quantity) for ln in view.lines] == [(SKU_CABERNET, 3)]
        assert app.screen.query_one(CartTable).row_count == 1
        print(app.screen.query_one("#totals-line").render())
