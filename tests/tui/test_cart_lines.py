"""Cart: adding lines by SKU and quantity, changing and removing them; totals follow every edit."""

from __future__ import annotations

from decimal import Decimal

from oms_tui.screens.cart import CartScreen
from oms_tui.widgets.cart_table import CartTable
from oms_tui.widgets.sku_entry import SkuEntry
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW, SKU_GIFT_BOX
from tests.integration.storage_builders import product
from tests.tui.cart_helpers import burst, open_cart, screen_text, settle, type_text


def lines_of(app, draft_id):
    return [(line.sku, line.quantity) for line in app.services.cart.get(draft_id).lines]


async def test_typing_a_sku_and_quantity_adds_the_line_and_the_totals_change(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        assert "Total 0.00" in screen_text(app)
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("enter")
        assert app.focused.id == "qty"
        await pilot.press("3", "enter")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 3)]
        assert app.focused.id == "sku" and app.focused.value == ""
        assert app.screen.query_one("#qty").value == "1"
        text = screen_text(app)
        assert "Cabernet 2019" in text
        assert "Subtotal 105.00" in text and "Total 105.00" in text


async def test_an_unknown_sku_shows_the_service_message_keeps_the_text_and_adds_nothing(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await type_text(pilot, "NO-SUCH")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert lines_of(app, draft.id) == []
        assert "no product with SKU 'NO-SUCH'" in screen_text(app)
        assert app.focused.id == "sku" and app.focused.value == "NO-SUCH"


async def test_completion_by_product_name_is_taken_with_tab(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await type_text(pilot, "chard")
        await settle(pilot)
        assert app.screen.query_one(SkuEntry).completion_open
        assert "Chardonnay 2021" in screen_text(app)
        await pilot.press("tab")
        assert app.screen.query_one("#sku").value == SKU_CHARDONNAY
        assert app.focused.id == "qty"
        await pilot.press("2", "enter")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CHARDONNAY, 2)]


async def test_keys_typed_ahead_land_in_the_box_they_were_meant_for(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        burst(app, [*SKU_CABERNET, "enter", "3", "enter", *SKU_GIFT_BOX, "enter", "enter"])
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 3), (SKU_GIFT_BOX, 1)]
        assert app.screen.query_one("#sku").value == ""


async def test_plus_minus_and_delete_change_the_highlighted_line(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1)))
        await pilot.press("down")  # from the SKU box to the lines
        assert isinstance(app.focused, CartTable)
        await pilot.press("plus", "plus")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 4), (SKU_CHARDONNAY, 1)]
        assert "Subtotal 162.50" in screen_text(app)
        await pilot.press("minus")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 1)]
        await pilot.press("down", "delete")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 3)]
        assert "Subtotal 105.00" in screen_text(app)


async def test_minus_stops_at_one(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 1),))
        await pilot.press("down", "minus")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 1)]
        assert "Delete removes the line" in screen_text(app)


async def test_a_short_line_is_marked_and_warned_about(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, lines=((SKU_GIFT_BOX, 7), (SKU_CORKSCREW, 2)))
        text = screen_text(app)
        assert "5 short" in text
        assert "0 b/o" in text
        assert "GIFT-BOX: 2 short (on hand 5)" in text
        assert "CORK-SCREW: 2 backordered (on hand 0)" in text


async def test_an_edit_from_a_stale_window_is_refused_and_the_cart_reloads(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, lines=((SKU_CABERNET, 1),))
        app.services.cart.add_line(draft.id, SKU_GIFT_BOX, 1)  # another window
        await pilot.press("down", "plus")
        await settle(pilot)
        assert "changed in another window" in screen_text(app)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 1), (SKU_GIFT_BOX, 1)]
        assert app.screen.query_one(CartTable).row_count == 2


async def test_checkout_without_a_customer_says_so_and_offers_f4(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, who=None, lines=((SKU_CABERNET, 1),))
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        text = screen_text(app)
        assert "no customer yet: press F4" in text
        assert "f4 Attach customer" in text


async def test_f9_with_a_sku_still_typed_adds_it_before_checkout(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("f9")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 1)]
        assert type(app.screen).__name__ == "CheckoutScreen"


async def test_line_prices_follow_the_customer_type(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, who="bob")
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.services.cart.get(draft.id).lines[0].effective_price == Decimal("29.75")
        assert "Acme Wines" in screen_text(app) and "Wholesale" in screen_text(app)


async def test_f4_attaches_a_customer_to_a_draft_without_one(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office, who=None, lines=((SKU_CABERNET, 1),))
        await pilot.press("f4")
        await settle(pilot)
        assert type(app.screen).__name__ == "IdentifyScreen"
        await type_text(pilot, "smith")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen) and app.screen.draft_id == draft.id
        assert sum(isinstance(screen, CartScreen) for screen in app.screen_stack) == 1
        assert app.services.cart.get(draft.id).customer.name == "Ann Smith"
        assert "Ann Smith" in screen_text(app)
        assert lines_of(app, draft.id) == [(SKU_CABERNET, 1)]


async def test_enter_on_part_of_a_name_takes_the_highlighted_product(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await type_text(pilot, "chard")
        await settle(pilot)
        await pilot.press("enter")
        assert app.screen.query_one("#sku").value == SKU_CHARDONNAY
        await pilot.press("2", "enter")
        await settle(pilot)
        assert lines_of(app, draft.id) == [(SKU_CHARDONNAY, 2)]


async def test_at_80_columns_a_long_product_name_keeps_its_vintage_and_size(office, make_app):
    """Two bottlings of one wine differ only at the end of the name: that end stays in sight."""
    with office.application.uow_factory(write=True) as uow:
        for sku, name in (
            ("BWE-PRT-17-375", "Bellwether Estate Tawny Port 2017 (375 ml)"),
            ("BWE-PRT-17-MAG", "Bellwether Estate Tawny Port 2017 (1.5 L)"),
        ):
            uow.products.add(product(sku, name=name))
        uow.commit()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, lines=(("BWE-PRT-17-375", 1), ("BWE-PRT-17-MAG", 1)))
        rows = [line for line in screen_text(app).split("\n") if "BWE-PRT-17-" in line]
        assert len(rows) == 2
        assert "Bellw" in rows[0] and "2017" in rows[0] and "375ml" in rows[0], rows[0]
        assert "Bellw" in rows[1] and "2017" in rows[1] and "1.5L" in rows[1], rows[1]
    async with make_app().run_test(size=(120, 40)) as pilot:  # wide enough: the name as it is
        await open_cart(pilot, office, lines=(("BWE-PRT-17-375", 1),))
        assert "Bellwether Estate Tawny Port 2017 (375 ml)" in screen_text(pilot.app)
