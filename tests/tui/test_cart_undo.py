"""Cart: Delete takes a line off at once, and ctrl+z puts it back as it was until the next edit."""

from __future__ import annotations

from decimal import Decimal

from oms_tui.widgets.cart_table import CartTable
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW
from tests.tui.cart_helpers import open_cart, screen_text
from tests.tui.pilot_helpers import send

LINES = ((SKU_CHARDONNAY, 1), (SKU_CABERNET, 3), (SKU_CORKSCREW, 2))


def lines(app, draft_id: int) -> list[tuple[str, int, Decimal | None, str]]:
    return [
        (line.sku, line.quantity, line.price_override, line.override_reason)
        for line in app.services.cart.get(draft_id).lines
    ]


async def test_ctrl_z_puts_a_deleted_line_back_in_its_place_with_its_price(office, make_app):
    app = make_app(operator="root")
    async with app.run_test(size=(120, 40)) as pilot:  # at 80 columns the footer is cut (the message says it)
        draft = await open_cart(pilot, office, lines=LINES)
        middle = app.services.cart.get(draft.id).lines[1]
        app.services.cart.override_price(draft.id, middle.id, Decimal("31.50"), "case price")
        app.screen.load()
        before = lines(app, draft.id)
        footer = screen_text(app).splitlines()[-1]
        assert "Undo" not in footer
        await send(pilot, ["down", "down", "delete"])  # to the lines, the second line, Delete
        assert [sku for sku, *_ in lines(app, draft.id)] == [SKU_CHARDONNAY, SKU_CORKSCREW]
        text = screen_text(app)
        assert f"Removed {SKU_CABERNET}  (ctrl+z puts it back)" in text
        assert "^z Undo remove" in text.splitlines()[-1]
        await send(pilot, ["ctrl+z"])
        assert lines(app, draft.id) == before
        table = app.screen.query_one(CartTable)
        assert table.current_line.sku == SKU_CABERNET  # the cursor is on the line put back
        assert "Undo" not in screen_text(app).splitlines()[-1]


async def test_after_another_edit_ctrl_z_has_nothing_to_undo(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=LINES)
        await send(pilot, ["down", "delete", "plus"])  # remove the first line, then more of the next
        assert [(sku, qty) for sku, qty, *_ in lines(app, draft.id)] == [
            (SKU_CABERNET, 4),
            (SKU_CORKSCREW, 2),
        ]
        await send(pilot, ["ctrl+z"])
        assert [(sku, qty) for sku, qty, *_ in lines(app, draft.id)] == [
            (SKU_CABERNET, 4),
            (SKU_CORKSCREW, 2),
        ]
