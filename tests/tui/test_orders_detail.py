"""The Order screen: everything on the order, cancelling (supervisors; restocks) and reordering."""

from __future__ import annotations

from oms_tui.screens.order import OrderScreen
from oms_tui.screens.reason import ReasonDialog
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import open_order, place_order, screen_text, settle, type_text


def stock(office, sku: str) -> int:
    (product,) = office.application.services.cart.find_products(sku)
    return product.stock_on_hand


async def test_the_order_shows_lines_totals_masked_payment_addresses_gift_message_and_audit(make_app, office):
    order = place_order(
        office, "ann", [(SKU_CABERNET, 2), (SKU_CHARDONNAY, 1)], gift_message="Happy [b]birthday[/b]"
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_order(app, pilot, order.id)
        text = screen_text(app)
        for shown in (
            f"Order {order.number}",
            "PLACED",
            "Customer C000001 Ann Smith",
            "Ship to (GROUND)",
            "12 Oak St",
            "Cabernet 2019",
            "70.00",
            "Total",
            "102.45",
            "Visa ending 1111",
            "Happy [b]birthday[/b]",
            "Audit trail",
        ):
            assert shown in text, shown
        assert "4111111111111111" not in text


async def test_cancelling_as_an_admin_restocks_and_shows_cancelled(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    before = stock(office, SKU_CABERNET)
    app = make_app()  # root, an admin
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "customer changed mind")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert "CANCELLED" in screen_text(app)
        assert office.application.services.orders.get(order.id).status == "cancelled"
        assert stock(office, SKU_CABERNET) == before + 2
        assert app.screen.check_action("cancel_order", ()) is False  # nothing left to cancel: not offered


async def test_cancelling_as_an_operator_shows_the_refusal_and_changes_nothing(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    before = stock(office, SKU_CABERNET)
    app = make_app(operator="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("x")
        await type_text(pilot, "wrong wine")
        await pilot.press("f9")
        await settle(pilot)
        assert "cancelling an order needs a supervisor; alice is operator" in screen_text(app)
        assert "PLACED" in screen_text(app)
        assert office.application.services.orders.get(order.id).status == "placed"
        assert stock(office, SKU_CABERNET) == before


async def test_esc_in_the_reason_dialog_cancels_nothing(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("x")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert office.application.services.orders.get(order.id).status == "placed"


async def test_a_blank_reason_is_refused_in_the_dialog(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("x")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        assert "give a reason" in screen_text(app)


async def test_r_reorders_into_a_new_draft_and_opens_its_cart(make_app, office):
    order = place_order(office, "bob", [(SKU_CHARDONNAY, 3)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("r")
        await settle(pilot)
        services = office.application.services
        (draft,) = services.cart.my_drafts()
        assert draft.customer_id == office.customers["bob"]
        assert [(line.sku, line.quantity) for line in services.cart.get(draft.id).lines] == [
            (SKU_CHARDONNAY, 3)
        ]
        assert type(app.screen).__name__ == "CartScreen"


async def test_c_opens_the_customer_of_the_order(make_app, office):
    order = place_order(office, "bob", [(SKU_CHARDONNAY, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("c")
        await settle(pilot)
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == office.customers["bob"]
