"""Edits to one draft, one at a time, each with the version the previous one returned.

An operator presses ``+`` twice faster than the database answers. Two workers racing with the
same version would make the second a ``StaleEdit``; cancelling the first (an exclusive worker)
would drop a change that was already committed. So the Cart and Checkout screens queue their
edits here: each runs in a thread worker after the one before it has answered, with the
``CartView.version`` that answer carried.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.worker import Worker

from oms_core.domain.errors import OmsError, StaleEdit
from oms_core.read_models import CartView
from oms_tui.keyboard import hold_keys_while
from oms_tui.work import run_service

Edit = Callable[[int | None], CartView]
"""A service call that takes the draft version and returns the draft's new view."""


@dataclass(slots=True)
class _Pending:
    edit: Edit | None
    done: Callable[[CartView], None] | None
    failed: Callable[[OmsError], None] | None
    # A "latest value" save (see submit_latest): the field it saves, and what makes the edit at its turn.
    key: str | None = None
    make: Callable[[], Edit | None] | None = None


class DraftEdits:
    """A queue of edits to one draft, run in order in thread workers.

    Args:
        node: the screen the workers belong to (they stop when it closes).
        applied: called on the UI thread with every view an edit returns.
        stale: called when the draft changed elsewhere; the queue is emptied and the owner
            should reload the draft.
        failed: called with any other error an edit raised, unless the edit has its own handler.
        idle: called when the last waiting edit has answered.
    """

    def __init__(
        self,
        node: DOMNode,
        applied: Callable[[CartView], None],
        stale: Callable[[StaleEdit], None],
        failed: Callable[[OmsError], None],
        idle: Callable[[], None] | None = None,
    ) -> None:
        self._node = node
        self._applied = applied
        self._stale = stale
        self._failed = failed
        self._idle = idle
        self._queue: deque[_Pending] = deque()
        self._running = False
        self._holding = False
        self._worker: Worker[None] | None = None
        self.version: int | None = None

    @property
    def busy(self) -> bool:
        """True while an edit is running or waiting."""
        return self._running or bool(self._queue)

    def submit(
        self,
        edit: Edit,
        done: Callable[[CartView], None] | None = None,
        failed: Callable[[OmsError], None] | None = None,
    ) -> None:
        """Run ``edit(version)`` after the edits already queued.

        Args:
            edit: the service call, given the current draft version.
            done: called with the new view after ``applied`` (for example to clear a field).
            failed: called instead of the queue's handler for an error of this edit.
        """
        self._queue.append(_Pending(edit, done, failed))
        if not self._running:
            self._next()

    def submit_latest(
        self,
        key: str,
        make: Callable[[], Edit | None],
        done: Callable[[CartView], None] | None = None,
        failed: Callable[[OmsError], None] | None = None,
    ) -> None:
        """Save what a field holds *when the save gets its turn*: one waiting save per ``key``.

        For text saved as it is typed: each key press asks, but only one save per field waits
        in the queue, and it reads the field when it runs, so typing never queues a save per
        key and the last keys typed are in the last save.

        Args:
            key: names the field; a save for it already waiting takes this one's place.
            make: called on the UI thread when the save's turn comes; returns the edit, or
                ``None`` when the draft already has what the field holds.
            done: called with the new view after ``applied``.
            failed: called instead of the queue's handler for an error of this save.
        """
        if any(pending.key == key for pending in self._queue):
            return
        self._queue.append(_Pending(None, done, failed, key, make))
        if not self._running:
            self._next()

    def waiting(self, key: str) -> bool:
        """True while a save for ``key`` waits its turn (its field holds text newer than any view
        that comes back before it, so the field must not be refilled from that view).
        """
        return any(pending.key == key for pending in self._queue)

    def hold_keys(self) -> None:
        """Keep typed keys waiting until every queued edit has answered (the screen is about to
        close: what is typed next belongs to the screen under it).
        """
        self._holding = True
        if self._worker is not None and not self._worker.is_finished:
            hold_keys_while(self._worker)

    def clear(self) -> None:
        """Drop the edits still waiting (the one running finishes)."""
        self._queue.clear()

    def _next(self) -> None:
        if not self._queue:
            was_running, self._running = self._running, False
            self._holding = False
            if was_running and self._idle is not None:
                self._idle()
            return
        pending = self._queue.popleft()
        edit = pending.make() if pending.make is not None else pending.edit
        if edit is None:  # a latest-value save the draft already has: on to the next (or idle)
            self._next()
            return
        self._running = True
        version = self.version

        def done(view: CartView) -> None:
            self.version = view.version
            self._applied(view)
            if pending.done is not None:
                pending.done(view)
            self._next()

        def failed(error: OmsError) -> None:
            if isinstance(error, StaleEdit):
                self._queue.clear()
                self._running = False
                self._stale(error)
                return
            (pending.failed or self._failed)(error)
            self._next()

        # Not exclusive: an edit that was committed must report back, never be dropped.
        self._worker = run_service(
            self._node, lambda: edit(version), done, failed, group="draft-edit", exclusive=False
        )
        if self._holding:
            hold_keys_while(self._worker)
