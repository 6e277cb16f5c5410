"""Keys typed ahead are handled one at a time, each by the screen the key before it left behind.

Textual reads a burst of keys (a fast typist, keystrokes arriving together over SSH) and forwards
every one of them to the widget that has the focus *when the burst arrives*. A key that moves the
focus (Tab, Enter, a choice in a dropdown) does so only when the widget gets round to it, by
bubbling to the screen or posting a message, so the keys after it went to the field just left:
``Tab Tab ctrl+u y`` from Email cleared and typed into Email.

A 5250 terminal buffers what is typed while the host is busy and plays it back in order. So does
``TypeAhead``: the application keeps the keys it receives in a queue and releases the next one
only when the one before has been dealt with completely (every message queue of the screen drained,
every "after refresh" callback run, a screen being opened mounted) and when no service call that
moves the operator on (saving, placing an order) is still running. Each form then gets a burst
exactly as if it had been typed slowly; no form needs code of its own for it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.worker import Worker

log = logging.getLogger("oms.tui")

# How long one key may keep the next ones waiting before they are let through anyway: a key that
# started something endless must not lock the keyboard.
SETTLE_LIMIT_SECONDS = 2.0
# How long a service call that moves the operator on (a save, placing an order) may hold the keys.
HOLD_LIMIT_SECONDS = 60.0
# Keys that are never queued behind others.
UNQUEUED_KEYS = frozenset({"ctrl+q"})

_holding_workers: weakref.WeakSet[Worker[Any]] = weakref.WeakSet()


def hold_keys_while(worker: Worker[Any]) -> None:
    """Keep keys typed from now on waiting until ``worker`` has finished (and reported back).

    For service calls whose answer moves the operator on (a form saved and closed, an order
    placed): what is typed after F9 belongs to the screen that comes next.
    """
    _holding_workers.add(worker)


def _busy(pump: MessagePump) -> bool:
    """True while ``pump`` has messages to handle or is in the middle of handling one.

    A pump with nothing to do is parked waiting for its queue's "ready" event; at any other
    moment (a handler awaiting something, callbacks being flushed) it is still at work.
    """
    if pump._closed or not pump._running:
        return False
    queue = pump._message_queue
    parked = bool(getattr(queue.ready_event, "_waiters", True))
    return bool(queue.qsize() or pump._pending_message is not None or pump._next_callbacks or not parked)


class TypeAhead:
    """Mixin for the App (before ``App`` in the bases): a queue of keys played back in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[events.Key] = deque()
        self._released_keys: set[int] = set()
        self._key_feeder: asyncio.Task[None] | None = None

    @property
    def keys_waiting(self) -> int:
        """How many typed keys are waiting, counting the last one released until it has been
        dealt with (0: everything typed has been handled).
        """
        feeding = self._key_feeder is not None and not self._key_feeder.done()
        return len(self._typed_ahead) + int(feeding)

    async def on_event(self, event: events.Event) -> None:
        """Queue keys from the terminal; hand on everything else (and released keys)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if id(event) in self._released_keys:
                self._released_keys.discard(id(event))
            elif event.key not in UNQUEUED_KEYS:
                self._typed_ahead.append(event)
                if self._key_feeder is None or self._key_feeder.done():
                    self._key_feeder = asyncio.create_task(self._feed_keys())
                return
        await super().on_event(event)  # type: ignore[misc]

    async def _feed_keys(self) -> None:
        app: App[Any] = self  # type: ignore[assignment]
        # Wait, release one key, wait...: the last wait makes ``keys_waiting`` count the last key
        # until it has been dealt with, and picks up keys typed meanwhile.
        while True:
            try:
                await self._wait_until_settled(app)
            except Exception:  # noqa: BLE001 - never lose the keys over a failed wait
                log.exception("waiting for the screen to settle failed; releasing the key")
            if not self._typed_ahead or not app.is_running:
                return
            key = self._typed_ahead.popleft()
            self._released_keys.add(id(key))
            app.post_message(key)
            await asyncio.sleep(0)

    async def _wait_until_settled(self, app: App[Any]) -> None:
        loop = asyncio.get_running_loop()
        settle_until = loop.time() + SETTLE_LIMIT_SECONDS
        hold_until = loop.time() + HOLD_LIMIT_SECONDS
        turns = 0
        while True:
            now = loop.time()
            if any(not worker.is_finished for worker in _holding_workers) and now < hold_until:
                await asyncio.sleep(0.005)
                continue
            if now >= settle_until or self._settled(app):
                return
            turns += 1
            # A few turns of the loop settle nearly every key; past them, stop spinning.
            await asyncio.sleep(0 if turns < 100 else 0.002)

    def _settled(self, app: App[Any]) -> bool:
        """True when the last key (and all it set off on the screen) has been dealt with."""
        try:
            screen = app.screen
        except Exception:  # noqa: BLE001 - no screen yet: nothing to wait for
            return True
        if _busy(app) or screen._callbacks:
            return False
        return not any(_busy(node) or not node._is_mounted for node in screen.walk_children(with_self=True))
