"""Helpers for the Cart, Checkout and Drafts Pilot tests: open a draft, wait, read the screen."""

from __future__ import annotations

import contextlib
import io

from rich.console import Console
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from oms_core.read_models import CartView
from oms_tui.app import OmsApp
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from tests.tui.conftest import Office


async def settle(pilot: Pilot[object]) -> None:
    """Wait until every worker has reported back and the screen has caught up."""
    for _ in range(50):
        with contextlib.suppress(WorkerCancelled):  # a newer search or check replaced it
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        typing = getattr(pilot.app, "keys_waiting", 0)
        if not typing and not any(worker.is_running for worker in pilot.app.workers):
            break
    await pilot.pause()


async def open_cart(
    pilot: Pilot[object], office: Office, who: str | None = "ann", lines: tuple[tuple[str, int], ...] = ()
) -> CartView:
    """Start a draft for ``who`` (with ``lines``) and open its cart, as the Customer screen would."""
    app = pilot.app
    assert isinstance(app, OmsApp)
    await settle(pilot)
    cart = app.services.cart
    draft = cart.start(office.customers[who] if who else None)
    for sku, quantity in lines:
        draft = cart.add_line(draft.id, sku, quantity)
    app.open_cart(draft.id)
    await settle(pilot)
    assert isinstance(app.screen, CartScreen)
    return draft


async def open_checkout(
    pilot: Pilot[object], office: Office, who: str = "ann", lines: tuple[tuple[str, int], ...] = ()
) -> CartView:
    """Open a draft's cart and press F9 to reach its checkout."""
    draft = await open_cart(pilot, office, who, lines)
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CheckoutScreen)
    return draft


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type ``text`` into the focused box, key by key."""
    await pilot.press(*["space" if ch == " " else ch for ch in text])


def burst(app: App[object], keys: list[str]) -> None:
    """Send keys all at once, as a fast typist or a barcode scanner over SSH does."""
    for key in keys:
        character = " " if key == "space" else (key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


def screen_text(app: App[object]) -> str:
    """The screen (with the screens under a modal) as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def steady_cursors(app: App[object]) -> None:
    """Stop every cursor blinking, so a snapshot never catches it half-way."""
    for box in app.screen.query(Input):
        box.cursor_blink = False
