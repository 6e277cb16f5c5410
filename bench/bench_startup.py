"""oms start-up to the first screen, beside a bare Textual app (header, input, table, footer).

Each run is a fresh interpreter (imports included, as an operator logging in gets), running the app
headless until its first screen has been mounted and refreshed. Median of RUNS runs each.

    .venv/bin/python bench/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, report  # noqa: E402

BARE = """
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
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(80, 24))
"""

OMS = """
import sys
from oms_core.bootstrap import Config, build, upgrade_database
from oms_tui.app import OmsApp

# The same path as the `oms` command: the first screen at once, the database opened behind it.
class FirstScreen(OmsApp):
    def on_mount(self):
        super().on_mount()
        self.set_timer(0.001, lambda: self.call_after_refresh(self.exit))

url = sys.argv[1]

def connect():
    upgrade_database(url)
    return build(Config(url, operator="bench")).services

FirstScreen(None, "bench", url, connect=connect).run(headless=True, size=(80, 24))
"""


def _time(code: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True)
    return time.perf_counter() - started


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
        oms, bare = [], []
        for _ in range(options.runs):
            oms.append(_time(OMS, url))
            bare.append(_time(BARE))
    report("oms start-up to first screen", median(oms), median(bare), "s", "bare Textual app")


if __name__ == "__main__":
    main()
