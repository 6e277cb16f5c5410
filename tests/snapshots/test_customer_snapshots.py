"""Snapshots at 80x24 of the phone-order screens on the customer side, and of Help.

Deterministic: the office's fixed clock and data, times shown in UTC, no cursor blink, no toasts.
Update with ``pytest tests/snapshots --snapshot-update`` and read the SVGs before committing.
"""

from __future__ import annotations

import time

import pytest

from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.conftest import make_app, office  # noqa: F401 - fixtures
from tests.tui.pilot_helpers import place_order, settle, steady_cursors, type_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Show times in UTC whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def orders(office):  # noqa: F811
    """Two placed orders for Ann, one for Bob, and an open draft for Ann."""
    first = place_order(
        office, "ann", [(SKU_CABERNET, 2), (SKU_CHARDONNAY, 1)], gift_message="Happy [b]70th[/b]!"
    )
    place_order(office, "bob", [(SKU_CHARDONNAY, 6)])
    place_order(office, "ann", [(SKU_CABERNET, 1)])
    office.application.services.cart.start(office.customers["ann"])
    return first


async def still(pilot) -> None:
    """Let everything settle, then stop what moves."""
    await settle(pilot)
    steady_cursors(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_customers_with_results(snap_compare, make_app):  # noqa: F811
    async def run_before(pilot):
        await type_text(pilot, "C0000")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_customer_record(snap_compare, make_app, orders):  # noqa: F811
    async def run_before(pilot):
        await type_text(pilot, "smith")
        await settle(pilot)
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_customer_form_with_an_error(snap_compare, make_app):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "Zed")
        await pilot.press("enter")
        await type_text(pilot, "Quill")
        await pilot.press("enter", "enter")
        await type_text(pilot, "zed@@example")
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_identify(snap_compare, make_app):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f4")
        await type_text(pilot, "jones")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_orders(snap_compare, make_app, orders):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f3")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_order(snap_compare, make_app, orders):  # noqa: F811
    async def run_before(pilot):
        pilot.app.open_order(orders.id)
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, make_app):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
