"""Cart lines: the cursor stays on the line being edited, a quantity can be typed on a line,
shift+Tab goes back to the SKU box, and the Qty box refuses letters out loud.
"""

from __future__ import annotations

import pytest

from oms_core.domain.orders import MAX_LINE_QUANTITY
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.price_override import PriceOverrideScreen
from oms_tui.widgets.cart_table import CartTable
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW
from tests.tui.cart_helpers import open_cart, screen_text, settle, type_text

LINES = ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 2), (SKU_CORKSCREW, 2))


def quantities(app, draft_id: int) -> dict[str, int]:
    return {line.sku: line.quantity for line in app.services.cart.get(draft_id).lines}


async def to_last_line(pilot) -> CartTable:
    await pilot.press("down")  # from the SKU box to the lines
    table = pilot.app.screen.query_one(CartTable)
    assert pilot.app.focused is table
    await pilot.press("down", "down")
    assert table.current_line.sku == SKU_CORKSCREW
    return table


async def price_override(pilot) -> None:
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PriceOverrideScreen)
    await type_text(pilot, "20")
    await pilot.press("enter")
    await type_text(pilot, "damaged label")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CartScreen)


EDITS = {
    "first price override": (price_override, 2),
    "plus": (lambda pilot: pilot.press("plus"), 3),
    "minus": (lambda pilot: pilot.press("minus"), 1),
    "typed quantity": (lambda pilot: pilot.press("6", "enter"), 6),
}


@pytest.mark.parametrize("edit", EDITS)
async def test_the_cursor_stays_on_the_edited_line_so_the_next_key_hits_it(office, make_app, edit):
    do, quantity = EDITS[edit]
    app = make_app(operator="root")
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=LINES)
        table = await to_last_line(pilot)
        await do(pilot)
        await settle(pilot)
        assert quantities(app, draft.id)[SKU_CORKSCREW] == quantity
        assert table.current_line.sku == SKU_CORKSCREW
        await pilot.press("plus")
        await settle(pilot)
        assert quantities(app, draft.id) == {SKU_CABERNET: 2, SKU_CHARDONNAY: 2, SKU_CORKSCREW: quantity + 1}
        assert table.current_line.sku == SKU_CORKSCREW


async def test_a_quantity_typed_on_a_line_is_shown_then_set_by_enter(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=LINES)
        await pilot.press("down", "down")  # the lines, then the second one
        await pilot.press("1", "2")
        assert f"Quantity of {SKU_CHARDONNAY}: 12" in screen_text(app)
        await pilot.press("backspace")  # edits the typing; the line stays
        assert f"Quantity of {SKU_CHARDONNAY}: 1 " in screen_text(app)
        await pilot.press("6", "enter")
        await settle(pilot)
        assert quantities(app, draft.id)[SKU_CHARDONNAY] == 16
        assert app.screen.query_one(CartTable).current_line.sku == SKU_CHARDONNAY


async def test_a_typed_quantity_is_checked_by_the_domain_and_esc_gives_it_up(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=LINES)
        await pilot.press("down")
        await pilot.press("0", "enter")
        await settle(pilot)
        assert "quantity must be at least 1" in screen_text(app)
        await pilot.press("9", "escape")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)  # Esc gave the typing up, it did not leave the cart
        assert "Quantity of" not in screen_text(app)
        assert quantities(app, draft.id) == dict(LINES)


async def test_shift_tab_from_the_lines_goes_to_the_sku_box(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, lines=LINES)
        await pilot.press("down")
        assert isinstance(app.focused, CartTable)
        await pilot.press("shift+tab")
        assert app.focused.id == "sku"


async def test_letters_in_qty_are_refused_out_loud_and_no_stale_quantity_is_kept(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await pilot.press("tab")  # into Qty with no SKU typed
        assert app.focused.id == "qty"
        await pilot.press("c")
        assert "Qty takes a number, not 'c'" in screen_text(app)
        await pilot.press("2", "enter")  # no SKU: refused, and the 2 is not kept for the next line
        assert "type a SKU first" in screen_text(app)
        assert app.focused.id == "sku"
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert quantities(app, draft.id) == {SKU_CABERNET: 1}


async def test_qty_takes_every_quantity_the_domain_allows(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office)
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("enter")
        await type_text(pilot, str(MAX_LINE_QUANTITY) + "9")
        assert app.focused.id == "qty" and app.focused.value == str(MAX_LINE_QUANTITY)
