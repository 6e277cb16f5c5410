"""Helpers for the Quick Order Pad, Bulk Order and Club shipments Pilot tests."""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the pad's pause-then-check, the customer search, and every worker."""
    from oms_tui.widgets.customer_search import CustomerSearch
    from oms_tui.widgets.quick_pad import QuickPad

    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        waiting = any(pad.busy for pad in screen.query(QuickPad)) or any(
            search.busy for search in screen.query(CustomerSearch)
        )
        if not waiting and not any(w.is_running for w in pilot.app.workers):
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def paste(pilot: Pilot[object], text: str) -> None:
    """Paste ``text`` into the focused widget, as a terminal delivers a paste (to the app)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type ``text`` key by key."""
    keys = {" ": "space", "\n": "enter", ",": "comma", "@": "at", ".": "full_stop"}
    await pilot.press(*[keys.get(ch, ch) for ch in text])


def steady_cursors(app: App[object]) -> None:
    """Stop every cursor blinking, so a snapshot never catches it half-way."""
    for box in app.screen.query(Input):
        box.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
