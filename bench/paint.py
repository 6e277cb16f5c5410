"""When a headless Textual app has drawn a frame with new results, as a terminal would be sent it.

``install()`` wraps ``App._display``: in headless mode Textual skips turning the compositor's update
into terminal output, so the wrapper does that too (the cost a real terminal session pays), then,
if the app's ``bench_results_in`` flag is set (the bench sets it where results reach the table),
records ``bench_painted_at`` and clears the flag.
"""

from __future__ import annotations

import io
import time

from rich.console import Console
from textual.app import App

_TERMINAL = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
_real_display = App._display


def _display(self: App, screen, renderable) -> None:  # noqa: ANN001 - Textual's own signature
    _real_display(self, screen, renderable)
    if renderable is None:
        return
    if hasattr(renderable, "render_segments"):
        _TERMINAL.file = io.StringIO()
        _TERMINAL.file.write(renderable.render_segments(_TERMINAL))
    if getattr(self, "bench_results_in", False):
        self.bench_results_in = False  # type: ignore[attr-defined]
        self.bench_painted_at = time.perf_counter()  # type: ignore[attr-defined]


def install() -> None:
    """Time paints from now on (idempotent)."""
    App._display = _display  # type: ignore[method-assign]


def mark_results(app: App) -> None:
    """Results have just reached the table: the next frame drawn is the one that shows them."""
    app.bench_results_in = True  # type: ignore[attr-defined]


def reset(app: App) -> None:
    """Forget the last paint."""
    app.bench_results_in = False  # type: ignore[attr-defined]
    app.bench_painted_at = 0.0  # type: ignore[attr-defined]
