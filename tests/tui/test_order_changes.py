"""Changing a placed order from the Order screen: ``e`` opens its cart in change mode, F9 goes on to
the checkout, F9 there shows old -> new and applies; a decline leaves the order as it was."""

from __future__ import annotations

import pytest

from oms_core.ports import GatewayAnswer
from oms_tui.screens.ask import AskScreen
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.order import OrderScreen
from tests.fakes import SKU_CABERNET
from tests.tui.pilot_helpers import open_order, place_order, screen_text, settle


async def _to_confirmation(app, pilot, order) -> str:
    """From the Order screen: e, one more bottle on the line, F9 to checkout, F9; the question."""
    await open_order(app, pilot, order.id)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, CartScreen)
    assert f"changing order {order.number}" in screen_text(app)
    await pilot.press("down", "+")
    await settle(pilot)
    assert f"was {order.total}" in screen_text(app).replace("$", "")
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, CheckoutScreen)
    assert f"Change order {order.number}" in screen_text(app)
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, AskScreen)
    return screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_e_changes_the_quantity_and_the_card_follows_the_new_total(make_app, office, size):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    services = office.application.services
    app = make_app()
    async with app.run_test(size=size) as pilot:
        question = await _to_confirmation(app, pilot, order)
        assert f"Total {order.total} -> " in question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen) and app.screen.order_id == order.id
        assert len(app.screen_stack) == 3  # the cart and the checkout closed, one Order screen
        changed = services.orders.get(order.id)
        assert [line.quantity for line in changed.lines] == [2]
        assert [p.status for p in changed.payments] == ["voided", "authorized"]
        assert changed.payments[-1].amount == changed.total
        shown = app.screen.order  # the screen read the order again
        assert shown is not None and [line.quantity for line in shown.lines] == [2]
        assert any(e.action == "changed" and f"{SKU_CABERNET}: 1 -> 2" in e.detail for e in shown.audit)


async def test_a_declined_change_says_so_in_one_line_and_the_order_is_as_it_was(
    make_app, office, monkeypatch
):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    services = office.application.services
    monkeypatch.setattr(
        office.gateway,
        "authorize",
        lambda token, amount, key: GatewayAnswer.decline("Insufficient funds", "insufficient_funds"),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_confirmation(app, pilot, order)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CheckoutScreen)
        text = screen_text(app)
        assert "DECLINED" in text and "Insufficient funds" in text
        assert "is unchanged" in text and "The order is as it was" in text
        after = services.orders.get(order.id)
        assert (after.lines, after.payments) == (order.lines, order.payments)


async def test_a_released_order_offers_no_change(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    office.application.services.fulfilment.release(order.id)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_order(app, pilot, order.id)
        assert not screen.check_action("change", ())
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
