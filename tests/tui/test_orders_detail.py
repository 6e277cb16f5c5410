"""The Order screen: everything on the order, cancelling (supervisors; restocks) and reordering."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import PaymentDeclined
from oms_core.domain.payments import CardEntry
from oms_core.ports import GatewayAnswer
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


def _declined_then_placed(office) -> int:
    """A card declined at checkout, then the card on file approved; the order then captured."""
    services = office.application.services
    draft = services.cart.add_line(services.cart.start(office.customers["ann"]).id, SKU_CABERNET, 1)
    services.cart.set_payment(draft.id, "card", card=CardEntry("4000000000000002", 12, 2030, "123"))
    with pytest.raises(PaymentDeclined):
        services.checkout.place(draft.id)
    card_id = services.customers.get(office.customers["ann"]).cards[0].id
    services.cart.set_payment(draft.id, "card_on_file", card_id=card_id)
    order = services.checkout.place(draft.id)
    services.payments.capture(order.id)
    return order.id


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_order_shows_its_payment_history_with_the_card_masked(make_app, office, size):
    order_id = _declined_then_placed(office)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_order(app, pilot, order_id)
        screen.query_one("#order-payment-history").scroll_visible(animate=False)
        await settle(pilot)
        text = screen_text(app)
        rows = [
            line
            for line in text.splitlines()
            if "Visa ending" in line and ("authorize" in line or "capture" in line)
        ]
        assert "Payment history" in text
        assert any("authorize" in r and "declined" in r and "Visa ending 0002" in r for r in rows), text
        assert any("authorize" in r and "approved" in r and "Visa ending 1111" in r for r in rows), text
        assert any("capture" in r and "approved" in r and "44.95" in r for r in rows), text
        assert "Card declined (do not honor) [do_not_honor]" in text
        assert all(len(line.rstrip()) <= size[0] for line in text.splitlines())
        assert "4000000000000002" not in text and "4111111111111111" not in text


async def _cancel_on_screen(app, pilot, order_id: int) -> str:
    await open_order(app, pilot, order_id)
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(app.screen, ReasonDialog)
    await type_text(pilot, "customer changed mind")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, OrderScreen)
    app.screen.query_one("#order-payment-history").scroll_visible(animate=False)
    await settle(pilot)
    return screen_text(app)


async def test_cancelling_a_captured_order_refunds_it_and_the_refund_is_in_its_history(make_app, office):
    order_id = _declined_then_placed(office)
    app = make_app()  # root, an admin
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _cancel_on_screen(app, pilot, order_id)
    refunds = [line for line in text.splitlines() if "refund " in line and "44.95" in line]
    assert len(refunds) == 1 and "approved" in refunds[0] and "Visa ending 1111" in refunds[0], text
    order = office.application.services.orders.get(order_id)
    assert (order.status, order.payments[0].status) == ("cancelled", "refunded")


async def test_a_refused_refund_leaves_the_order_shown_cancelled_with_the_refusal(
    make_app, office, monkeypatch
):
    order_id = _declined_then_placed(office)
    monkeypatch.setattr(
        office.gateway,
        "refund",
        lambda *args: GatewayAnswer.decline("the charge is disputed", "charge_disputed"),
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _cancel_on_screen(app, pilot, order_id)
        assert "the order is cancelled, but refund refused: the charge is disputed" in text
        assert "CANCELLED" in text  # the screen shows the order as it now is, not as it was
        assert "the charge is disputed [charge_disputed]" in text
