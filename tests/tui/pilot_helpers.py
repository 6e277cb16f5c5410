"""Helpers for Pilot tests: read the screen as text, wait for searches and workers, place orders."""

from __future__ import annotations

import contextlib
import io

from rich.console import Console
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import WorkerCancelled

from oms_core.read_models import OrderView
from tests.tui.conftest import Office


def screen_text(app: App[object]) -> str:
    """The current screen (with the screens under a modal) as the terminal would show it."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, safe_box=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def shown_in(app: App[object], widget: Widget) -> str:
    """What the screen shows inside ``widget``'s region, its lines joined by single spaces."""
    region = widget.region
    lines = screen_text(app).split("\n")[region.y : region.y + region.height]
    return " ".join(" ".join(line[region.x : region.x + region.width].split()) for line in lines).strip()


async def settle(pilot: Pilot[object]) -> None:
    """Wait until pending searches have run and every worker has reported back."""
    from oms_tui.widgets.customer_search import CustomerSearch

    for _ in range(200):
        with contextlib.suppress(WorkerCancelled):  # a newer search or check replaced it
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        searching = any(search.busy for search in pilot.app.screen.query(CustomerSearch))
        timers = getattr(pilot.app.screen, "_timer", None) is not None
        typing = getattr(pilot.app, "keys_waiting", 0)
        if not (searching or timers or typing) and not any(w.is_running for w in pilot.app.workers):
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type ``text`` into the focused field, key by key."""
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)


def burst(app: App[object], keys: list[str]) -> None:
    """Send ``keys`` all at once, as a fast typist or keystrokes over SSH arrive: nothing is
    handled in between (``settle`` then waits until they all have been).
    """
    for key in keys:
        character = " " if key == "space" else (key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


def keys(*parts: str | list[str]) -> list[str]:
    """Key names from text (each character a key) and lists of key names, in order."""
    names: list[str] = []
    for part in parts:
        names += [("space" if ch == " " else ch) for ch in part] if isinstance(part, str) else part
    return names


async def send(pilot: Pilot[object], *parts: str | list[str]) -> None:
    """Send all ``parts`` (see ``keys``) as one burst, then wait until the app has caught up."""
    burst(pilot.app, keys(*parts))
    await settle(pilot)


def steady_cursors(app: App[object]) -> None:
    """Stop every cursor blinking, so a snapshot never catches it half-way."""
    for field in app.screen.query(Input):
        field.cursor_blink = False


def place_order(office: Office, customer: str, items: list[tuple[str, int]], **changes: str) -> OrderView:
    """Place an order for ``customer`` (a fixture key) with ``items`` (SKU, quantity)."""
    services = office.application.services
    draft = services.cart.start(office.customers[customer])
    for sku, quantity in items:
        draft = services.cart.add_line(draft.id, sku, quantity)
    if draft.payment_method is None:
        services.cart.set_payment(draft.id, "check", check_number="1001")
    if "gift_message" in changes:
        services.cart.set_gift_message(draft.id, changes["gift_message"])
    return services.checkout.place(draft.id, confirm_duplicate=True)


async def open_order(app: App[object], pilot: Pilot[object], order_id: int) -> Screen[object]:
    """Open the Order screen of ``order_id`` and wait until it shows."""
    from oms_tui.screens.order import OrderScreen

    app.open_order(order_id)  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, OrderScreen)
    return app.screen
