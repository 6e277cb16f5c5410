"""A batch run in a thread worker, with a progress bar, a line of counts and a stop flag.

The run places orders a chunk per transaction and asks ``should_stop`` between chunks, so stopping
(the screen's stop key, leaving the screen, quitting the app) ends it after the chunk in hand; the
members' statuses are in the database, and the next run goes on from there.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static
from textual.worker import get_current_worker

from oms_core.domain.errors import OmsError
from oms_core.services.batch_jobs import RunProgress, RunReport

log = logging.getLogger("oms.tui")

Job = Callable[[Callable[[RunProgress], None], Callable[[], bool]], RunReport]
"""``job(progress, should_stop)``: the service call that runs the batch."""


class RunPanel(Vertical):
    """Progress of a run: hidden until a run starts."""

    DEFAULT_CSS = """
    RunPanel {
        height: auto;
        padding: 0 1;
        display: none;
    }
    RunPanel.-shown {
        display: block;
    }
    RunPanel > ProgressBar {
        width: 100%;
    }
    RunPanel > #run-counts {
        height: 1;
    }
    """

    @dataclass
    class Finished(Message):
        """The run ended (every member tried, or stopped part-way)."""

        panel: RunPanel
        report: RunReport

    @dataclass
    class Failed(Message):
        """The run broke off with an error; what was committed stays committed."""

        panel: RunPanel
        message: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stop = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        """The bar and the counts."""
        yield ProgressBar(total=None, show_eta=False, id="run-bar")
        yield Static("", id="run-counts", markup=False)

    def start(self, job: Job, what: str = "orders") -> None:
        """Run ``job`` in a thread worker (one run at a time)."""
        if self.running:
            return
        self.running = True
        self._stop.clear()
        self.add_class("-shown")
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        self._say(f"Starting: placing {what}...")
        app = self.app

        def report(callback: Callable[..., None], *args: object) -> None:
            with contextlib.suppress(RuntimeError):  # the app is closing: the database has the statuses
                app.call_from_thread(callback, *args)

        def body() -> None:
            worker = get_current_worker()
            try:
                result = job(
                    lambda p: report(self._progress, p), lambda: self._stop.is_set() or worker.is_cancelled
                )
            except OmsError as error:
                report(self._failed, str(error))
            except Exception as error:  # noqa: BLE001 - one line for the operator, not a crash
                log.error("batch run failed: %s", type(error).__name__, exc_info=error)
                report(self._failed, f"The run broke off ({type(error).__name__}); run it again to go on.")
            else:
                report(self._finished, result)

        self.run_worker(body, thread=True, exclusive=True, group="batch-run", exit_on_error=False)

    def stop(self) -> bool:
        """Ask the run to stop after its chunk; ``False`` when nothing is running."""
        if not self.running:
            return False
        self._stop.set()
        self._say("Stopping after this chunk...")
        return True

    def _progress(self, progress: RunProgress) -> None:
        if not self.is_attached:
            return  # the screen was closed: the run stops after its chunk
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)
        stopping = "  stopping..." if self._stop.is_set() else ""
        self._say(
            f"{progress.done:,} of {progress.total:,}: {progress.placed:,} placed, "
            f"{progress.failed:,} failed, {progress.skipped:,} skipped{stopping}"
        )

    def _finished(self, result: RunReport) -> None:
        self.running = False
        if not self.is_attached:
            return
        state = "Stopped" if result.stopped else "Done"
        self._say(
            f"{state}: {result.placed:,} placed, {result.failed:,} failed, {result.skipped:,} skipped "
            f"of {result.tried:,} tried"
        )
        self.post_message(self.Finished(self, result))

    def _failed(self, message: str) -> None:
        self.running = False
        if not self.is_attached:
            return
        self._say(message)
        self.post_message(self.Failed(self, message))

    def _say(self, text: str) -> None:
        self.query_one("#run-counts", Static).update(text)
