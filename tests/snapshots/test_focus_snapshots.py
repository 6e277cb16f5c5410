"""Snapshots at 80x24 in 16 colours (TERM=xterm): every field visible, the focused one unmistakable.

Checkout with the cursor in the payment dropdown, the new-customer form with the cursor in Email,
and the cart with the cursor in the SKU box. Update with ``--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.snapshots.sixteen_colours import in_sixteen_colours
from tests.tui.cart_helpers import open_cart, open_checkout, settle, steady_cursors
from tests.tui.conftest import make_app, office  # noqa: F401 - fixtures

SIZE = (80, 24)
LINES = ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))


async def still(pilot) -> None:
    await settle(pilot)
    steady_cursors(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_checkout_in_16_colours(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_checkout(pilot, office, lines=LINES)
        await still(pilot)

    assert snap_compare(in_sixteen_colours(make_app()), terminal_size=SIZE, run_before=run_before)


def test_new_customer_form_in_16_colours(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"Zelda", "tab", *"Bady", "enter", "enter")
        await still(pilot)

    assert snap_compare(in_sixteen_colours(make_app()), terminal_size=SIZE, run_before=run_before)


def test_cart_in_16_colours(snap_compare, make_app, office):  # noqa: F811
    async def run_before(pilot):
        await open_cart(pilot, office, lines=LINES)
        await still(pilot)

    assert snap_compare(in_sixteen_colours(make_app()), terminal_size=SIZE, run_before=run_before)
