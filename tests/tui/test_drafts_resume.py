"""My drafts (F5): every cart edit is saved, so a draft outlives the app and opens where it was left."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import NotFound
from oms_tui.screens.ask import AskScreen
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.drafts import DraftsScreen, edited_ago
from oms_tui.widgets.cart_table import CartTable
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX
from tests.tui.cart_helpers import open_cart, screen_text, settle, type_text
from tests.tui.conftest import NOW


def record_notices(app) -> list[str]:
    """Keep every notification's message (the toasts expire, and a loaded machine is slow)."""
    seen: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return seen


async def test_a_draft_left_when_the_app_closed_is_resumed_with_f5(office, make_app):
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        draft = await open_cart(pilot, office)
        await type_text(pilot, SKU_CABERNET)
        await pilot.press("enter", "3", "enter")
        await type_text(pilot, SKU_GIFT_BOX)
        await pilot.press("enter", "enter")
        await settle(pilot)
    # The app is gone; a new one starts on the same database (fresh services, as after a crash).
    second = make_app(operator="root")
    notices = record_notices(second)
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "You have 1 open draft — F5 to resume" in notices
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(second.screen, DraftsScreen)
        assert "Ann Smith" in screen_text(second)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(second.screen, CartScreen) and second.screen.draft_id == draft.id
        assert second.screen.query_one(CartTable).row_count == 2
        text = screen_text(second)
        assert "Cabernet 2019" in text and "Gift box" in text and "Subtotal 117.00" in text


async def test_no_reminder_without_drafts(office, make_app):
    app = make_app()
    notices = record_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any("open draft" in message for message in notices)


async def test_delete_discards_a_draft_after_asking(office, make_app):
    app = make_app()
    keep = app.services.cart.start(office.customers["bob"])
    drop = app.services.cart.add_line(app.services.cart.start(office.customers["ann"]).id, SKU_CABERNET, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_drafts()
        await settle(pilot)
        assert [d.id for d in app.screen.drafts] == [drop.id, keep.id]
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        assert f"Discard draft {drop.id} (Ann Smith, 1 line, total 44.95)?" in screen_text(app)
        await pilot.press("enter")  # "Keep" has the focus: a slip of Enter discards nothing
        await settle(pilot)
        assert [d.id for d in app.screen.drafts] == [drop.id, keep.id]
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)
        assert [d.id for d in app.screen.drafts] == [keep.id]
        with pytest.raises(NotFound):
            app.services.cart.get(drop.id)


async def test_esc_from_a_resumed_cart_returns_to_the_drafts(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, office, lines=((SKU_CABERNET, 1),))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)


def test_last_edited_reads_the_same_in_every_time_zone():
    from datetime import timedelta

    assert edited_ago(NOW, NOW) == "just now"
    assert edited_ago(NOW - timedelta(minutes=12), NOW) == "12 min ago"
    assert edited_ago(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert edited_ago(NOW - timedelta(days=2), NOW) == "2 days ago"
    assert edited_ago(None, NOW) == ""


async def test_pagedown_at_the_bottom_loads_the_drafts_edited_before_the_last_one(
    office, make_app, monkeypatch
):
    monkeypatch.setattr("oms_tui.screens.drafts.PAGE_SIZE", 2)
    cart = office.application.services.cart
    # The office's clock stands still: every draft is edited in the same instant, so ids decide.
    made = [str(cart.start(office.customers["ann"]).id) for _ in range(5)]
    newest_first = list(reversed(made))
    app = make_app(operator="root")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)
        assert [str(d.id) for d in app.screen.drafts] == newest_first[:2]
        assert "2 drafts shown, more on PageDown at the bottom" in screen_text(app)
        await pilot.press("down", "pagedown")
        await settle(pilot)
        assert [str(d.id) for d in app.screen.drafts] == newest_first[:4]
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        assert [str(d.id) for d in app.screen.drafts] == newest_first
        assert "more on PageDown" not in screen_text(app)
