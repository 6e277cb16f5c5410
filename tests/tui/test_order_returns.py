"""The Order screen's return key: a return and its card refund typed in one burst at 80x24, a
refusal that keeps the form open, and an exchange that opens the replacement draft's cart."""

from __future__ import annotations

from oms_core.domain.fulfilment import ShipRequest
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.order import OrderScreen
from oms_tui.screens.return_form import ReturnForm
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import open_order, place_order, screen_text, send, settle


def _shipped(office, items):
    order = place_order(office, "ann", items)
    office.application.services.fulfilment.ship(order.id, ShipRequest("UPS", "Ground", "1Z1"))
    return order


async def test_a_return_with_a_card_refund_typed_in_one_burst(make_app, office):
    order = _shipped(office, [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        assert "Return" in screen_text(app)  # the key shows on a shipped order
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ReturnForm)
        text = screen_text(app)
        assert f"{SKU_CABERNET}" in text and "up to 3" in text and "Visa ending 1111" in text
        # Reason, 2 Cabernet back on the shelf, 1 Chardonnay written off, refund to the card, a note.
        await send(
            pilot,
            "dam",
            ["enter"],
            "2",
            ["enter", "enter"],
            "1",
            ["enter", "ctrl+u"],
            "w",
            ["enter", "enter", "enter", "enter", "enter"],
            "box <b>[red]crushed",
            ["f9"],
        )
        assert isinstance(app.screen, OrderScreen), screen_text(app)
        (item,) = office.application.services.returns.for_order(order.id)
        assert item.reason == "damaged" and item.note == "box <b>[red]crushed"
        assert item.lines == ((SKU_CABERNET, 2, "restock"), (SKU_CHARDONNAY, 1, "write off"))
        assert [(r.method, r.status) for r in item.refunds] == [("card", "refunded")]
        app.screen.query_one("#order-returns").scroll_visible(animate=False, top=True)
        await settle(pilot)
        text = screen_text(app)
        assert f"{item.rma} damaged" in text and "refund card" in text
        assert "box <b>[red]crushed" in text  # the customer's words, literally


async def test_a_return_the_service_refuses_keeps_the_form_open_with_the_reason(make_app, office):
    order = _shipped(office, [(SKU_CABERNET, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("t")
        await settle(pilot)
        await send(pilot, "d", ["enter"], "5", ["f9"])
        assert isinstance(app.screen, ReturnForm)
        assert f"only 1 of {SKU_CABERNET} can come back" in screen_text(app)
        await send(pilot, ["escape"])
        assert isinstance(app.screen, OrderScreen)
        assert office.application.services.returns.for_order(order.id) == []


async def test_an_exchange_opens_the_replacement_draft_paid_by_store_credit(make_app, office):
    order = _shipped(office, [(SKU_CABERNET, 2)])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("t")
        await settle(pilot)
        await send(pilot, "wrong", ["enter"], "1", ["enter", "enter", "ctrl+u"], "ex", ["f9"])
        assert isinstance(app.screen, CartScreen), screen_text(app)
        (item,) = office.application.services.returns.for_order(order.id)
        assert item.exchange_order_id is not None
        assert f"draft {item.exchange_order_id}" in screen_text(app)
        cart = office.application.services.cart.get(item.exchange_order_id)
        assert cart.payment_method == "store_credit" and [(li.sku, li.quantity) for li in cart.lines] == [
            (SKU_CABERNET, 1)
        ]
