"""The Quick Order Pad from the cart: paste many lines, see them checked, F9 adds the good ones."""

from __future__ import annotations

from oms_tui.screens.cart import CartScreen
from oms_tui.screens.quick_pad import QuickPadScreen
from oms_tui.widgets.quick_pad import QuickPad
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX
from tests.integration.storage_builders import product
from tests.tui.batch_helpers import paste, settle, type_text
from tests.tui.pilot_helpers import screen_text, shown_in


async def _open_pad(pilot, office):
    app = pilot.app
    await settle(pilot)
    draft = app.services.cart.start(office.customers["bob"])  # wholesale: 15 % off
    app.open_cart(draft.id)
    await settle(pilot)
    assert isinstance(app.screen, CartScreen)
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(app.screen, QuickPadScreen)
    return draft


async def test_pasted_lines_are_checked_and_f9_adds_the_good_ones_leaving_the_rest(office, make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        draft = await _open_pad(pilot, office)
        await paste(
            pilot,
            f"SKU\tQty\n{SKU_CABERNET}\t2\nWINE-CAB-2091\t1\n{SKU_GIFT_BOX}\tten\n{SKU_CHARDONNAY}\t3\n",
        )
        await settle(pilot)
        text = screen_text(app)
        assert "Cabernet 2019" in text and "29.75" in text and "59.50" in text
        assert "Line 3: unknown SKU; did you mean WINE-CAB-2019" in text  # the first problem in full
        assert "! 'ten' is not a quantity" in text
        assert "2 items ready" in text

        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, QuickPadScreen)
        assert app.screen.pad.text == f"SKU\tQty\nWINE-CAB-2091\t1\n{SKU_GIFT_BOX}\tten"
        lines = app.services.cart.get(draft.id).lines
        assert [(ln.sku, ln.quantity) for ln in lines] == [(SKU_CABERNET, 2), (SKU_CHARDONNAY, 3)]

        app.screen.pad.replace_text(f"SKU\tQty\n{SKU_CABERNET}\t1\n{SKU_GIFT_BOX}\t1")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        lines = app.services.cart.get(draft.id).lines
        assert [(ln.sku, ln.quantity) for ln in lines] == [
            (SKU_CABERNET, 3),
            (SKU_CHARDONNAY, 3),
            (SKU_GIFT_BOX, 1),
        ]
        assert "Gift box" in screen_text(app)


async def test_f9_right_after_typing_waits_for_the_check(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await _open_pad(pilot, office)
        await type_text(pilot, f"{SKU_CABERNET} x3")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert [(ln.sku, ln.quantity) for ln in app.services.cart.get(draft.id).lines] == [(SKU_CABERNET, 3)]


async def test_esc_closes_the_pad_without_adding(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await _open_pad(pilot, office)
        await type_text(pilot, f"{SKU_CABERNET} 3")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert app.services.cart.get(draft.id).lines == ()


async def test_customer_text_in_the_pad_is_shown_literally(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_pad(pilot, office)
        await paste(pilot, "[bold red]X[/] 2")
        await settle(pilot)
        await paste(pilot, "\n\x1b[31mRED 2")
        await settle(pilot)
        await pilot.press("up")  # the line under the table tells the cursor's line
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]X[/] 2" in text
        assert "Line 1: expected a SKU and a quantity, one item per line" in text
        rows = app.screen.query_one(QuickPad).preview.rows
        assert rows[1].sku == "RED" and rows[1].problem.startswith("unknown SKU")


async def test_a_long_problem_and_its_suggestions_wrap_at_80_columns(office, make_app):
    """The whole "did you mean" list is on the screen, wrapped, not cut at the edge."""
    with office.application.uow_factory(write=True) as uow:
        for year in (2018, 2020, 2022):
            uow.products.add(product(f"WINE-CHARDONNAY-RESERVE-{year}", name=f"Chardonnay Reserve {year}"))
        uow.commit()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_pad(pilot, office)
        await paste(pilot, f"{SKU_CABERNET} 1\nWINE-CHARDONNAY-RESERVE-2019 2\n")
        await settle(pilot)
        row = app.screen.query_one(QuickPad).preview.rows[1]
        assert len(row.suggestions) == 3
        detail = f"Line 2: {row.problem}"
        assert len(detail) > 74  # wider than the pad's inside at 80 columns
        assert shown_in(app, app.screen.query_one("#pad-detail")) == detail


async def test_the_detail_line_shows_the_line_under_the_cursor(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_pad(pilot, office)
        await paste(pilot, f"{SKU_CABERNET} ten\n{SKU_GIFT_BOX} 2\nNOPE-SKU 1")
        await settle(pilot)
        detail = app.screen.query_one("#pad-detail")
        assert "Line 3: unknown SKU" in str(detail.render())  # the cursor is on line 3
        await pilot.press("up", "up")
        await settle(pilot)
        assert "Line 1: 'ten' is not a quantity" in str(detail.render())
        await pilot.press("down")
        await settle(pilot)
        shown = str(detail.render())
        assert shown.startswith("Line 2: ") and "Gift box" in shown
