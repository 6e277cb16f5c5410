"""oms start-up to the first screen, beside a bare Textual app (header, input, table, footer).

Each run is a fresh interpreter (imports included, as an operator logging in gets), running the app
headless. The figure is the time from starting the interpreter to the moment the first screen has
been mounted and drawn: the child prints that moment on the system-wide monotonic clock
(``time.perf_counter``, CLOCK_MONOTONIC on Linux) and the parent subtracts the moment it started the
child. Tearing the app down afterwards is not counted: an operator does not wait for it.

For oms the child runs the `oms` command's own entry point (``oms_tui.cli.main``), headless: the
first screen is the Customers search, the schema check and the database open behind it, and the
time until the database is ready is printed too.

    .venv/bin/python bench/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, report  # noqa: E402

BARE = """
import time
from textual.app import App
from textual.widgets import DataTable, Footer, Header, Input

class Bare(App):
    def compose(self):
        yield Header()
        yield Input(placeholder="Search")
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Number", "Name", "Company", "Email", "Phone", "City", "Type")
        self.call_after_refresh(self.drawn)

    def drawn(self):
        print(f"screen {time.perf_counter()!r}", flush=True)
        self.set_timer(0.3, self.exit)

Bare().run(headless=True, size=(80, 24))
"""

OMS = """
import sys
import time

import oms_tui.app
from textual.widgets import DataTable

# The `oms` command itself (oms_tui.cli.main: parse, upgrade the schema and open the database
# behind the first screen), with the app made headless and told to report its first screen.
class FirstScreen(oms_tui.app.OmsApp):
    def run(self, **_options):
        return super().run(headless=True, size=(80, 24))

    def on_mount(self):
        # Textual calls OmsApp.on_mount itself (handlers run down the class hierarchy): calling
        # super() here would open the first screen twice.
        self._watch = self.set_interval(0.001, self.look)

    def look(self):
        screen = self.screen
        if type(screen).__name__ == "CustomersScreen" and screen.query(DataTable):
            self._watch.stop()
            self.call_after_refresh(self.drawn)

    def drawn(self):
        print(f"screen {time.perf_counter()!r}", flush=True)
        self.services  # waits for the database
        print(f"database {time.perf_counter()!r}", flush=True)
        self.set_timer(0.3, self.exit)

oms_tui.app.OmsApp = FirstScreen
oms_tui.app.has_terminal = lambda stdin, stderr: True  # headless: no terminal needed

from oms_tui.cli import main

sys.exit(main(["--db", sys.argv[1]]))
"""


def _time(code: str, *args: str) -> dict[str, float]:
    """Run a child; return its marks, in seconds from the moment it was started."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    marks = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("screen", "database"):
            marks[name] = float(value) - started
    if "screen" not in marks:
        raise SystemExit(f"the child never drew its first screen:\n{done.stdout}\n{done.stderr}")
    return marks


def main() -> None:
    """Measure both, alternating runs so noise hits them alike."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        from oms_core.bootstrap import upgrade_database

        upgrade_database(url)
        _time(OMS, url)  # warm the file-system cache for both
        _time(BARE)
        oms, bare, ready = [], [], []
        for _ in range(options.runs):
            marks = _time(OMS, url)
            oms.append(marks["screen"])
            ready.append(marks["database"])
            bare.append(_time(BARE)["screen"])
    print(f"oms database ready behind it: median {statistics.median(ready):.3f} s")
    report("oms start-up to first screen", median(oms), median(bare), "s", "bare Textual app")


if __name__ == "__main__":
    main()
