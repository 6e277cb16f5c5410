"""Snapshots at 80x24 of the ordering screens: Cart, Checkout, Confirmation, My drafts.

Deterministic: the office's fixed clock and data, no cursor blink, no toasts. Update with
``pytest tests/snapshots/test_cart_snapshots.py --snapshot-update`` and read the SVGs' text.
"""

from __future__ import annotations

from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW, SKU_GIFT_BOX
from tests.tui.cart_helpers import open_cart, open_checkout, settle, steady_cursors, type_text
from tests.tui.conftest import make_app, office  # noqa: F401 - fixtures

SIZE = (80, 24)
LINES = ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1), (SKU_GIFT_BOX, 7), (SKU_CORKSCREW, 1))
READY = ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1), (SKU_GIFT_BOX, 1))


async def still(pilot) -> None:
    """Let everything settle, then stop what moves."""
    await settle(pilot)
    steady_cursors(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_cart_with_lines_and_a_short_stock_warning(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_cart(pilot, office, lines=LINES)
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cart_completing_a_product_name(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await type_text(pilot, "c")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_price_override_refused_for_an_operator(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_cart(pilot, office, lines=((SKU_CABERNET, 2),))
        await pilot.press("down", "p")
        await settle(pilot)
        await type_text(pilot, "20")
        await pilot.press("enter")
        await type_text(pilot, "loyal customer")
        await pilot.press("f9")
        await still(pilot)

    assert snap_compare(make_app(operator="alice"), terminal_size=SIZE, run_before=run_before)


def test_checkout(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_checkout(pilot, office, lines=READY)
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_checkout_with_a_declined_card(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_checkout(pilot, office, who="dee", lines=((SKU_CABERNET, 2),))
        await pilot.press("f9")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_confirmation(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_checkout(pilot, office, lines=READY)
        await pilot.press("f9")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_my_drafts(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)  # the start-up reminder has looked (and found nothing) before drafts exist
        app = pilot.app
        cart = app.services.cart
        cart.add_lines(cart.start(office.customers["ann"]).id, [(SKU_CABERNET, 2), (SKU_GIFT_BOX, 1)])
        cart.add_line(cart.start(office.customers["markup"]).id, SKU_CHARDONNAY, 3)
        cart.start()
        app.open_drafts()
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
