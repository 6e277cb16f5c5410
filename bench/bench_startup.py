"""oms start-up to the first screen, beside a bare Textual app (header, input, table, footer).

Each run is a fresh interpreter (imports included, as an operator logging in gets), running the app
headless. Three figures per run, each beside the bare app's in the same run:

* first screen: from starting the interpreter to the moment the first screen has been mounted and
  drawn (the child prints that moment on the system-wide monotonic clock, ``time.perf_counter``,
  CLOCK_MONOTONIC on Linux, and the parent subtracts the moment it started the child);
* whole process: from starting the interpreter until it has exited, the app told to quit as soon
  as it is ready (for oms: the first screen drawn and the database open behind it; the bare app:
  its screen drawn);
* memory: the resident set size at the first screen (``VmRSS``; target under 60 MB).

For oms the child runs the `oms` command's own entry point (``oms_tui.cli.run``, as the installed
script does), headless: the
first screen is the Customers search, the schema check and the database open behind it, and the
time until the database is ready is printed too. `oms --version` and `oms --help` are timed as
well (beside a bare interpreter), and the heavy libraries they load listed (should be none).

    .venv/bin/python bench/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import median, report  # noqa: E402

RSS = """
def rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
"""

BARE = (
    RSS
    + """
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
        print(f"rss {rss()!r}", flush=True)
        self.exit()

Bare().run(headless=True, size=(80, 24))
"""
)

OMS = (
    RSS
    + """
import sys
import time

import oms_tui.app
from textual.widgets import DataTable

# The `oms` command itself (oms_tui.cli.run: parse, upgrade the schema and open the database
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
        print(f"rss {rss()!r}", flush=True)
        self.run_worker(self.ready, thread=True)

    def ready(self):
        self.services  # waits for the database
        print(f"database {time.perf_counter()!r}", flush=True)
        self.call_from_thread(self.exit)

oms_tui.app.OmsApp = FirstScreen
oms_tui.app.has_terminal = lambda stdin, stderr: True  # headless: no terminal needed

from oms_tui.cli import run

sys.argv[1:] = ["--db", sys.argv[1]]
run()  # what the installed `oms` script calls
"""
)


CHILD_ENV: dict[str, str] = dict(os.environ)


def _cache_bytecode(folder: Path) -> None:
    """Let the children cache compiled modules in ``folder``, as an installed oms has them.

    pip compiles every module when it installs oms (and Textual), so an operator's `oms` never
    compiles Python source as it starts. A shell with ``PYTHONDONTWRITEBYTECODE`` set would have
    each child compile every oms module whose cache the source tree happens to lack, while
    Textual's come compiled from site-packages. With a cache folder of their own, both apps read
    what the warm-up runs wrote, and the source tree gets no ``__pycache__``.
    """
    CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")


def _child(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *argv], check=True, capture_output=True, text=True, env=CHILD_ENV)


def _time(code: str, *args: str) -> dict[str, float]:
    """Run a child; return its marks, in seconds from the moment it was started, and its RSS."""
    started = time.perf_counter()
    done = _child("-c", code, *args)
    marks = {"exited": time.perf_counter() - started}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("screen", "database"):
            marks[name] = float(value) - started
        elif name == "rss":
            marks[name] = float(value)
    if "screen" not in marks:
        raise SystemExit(f"the child never drew its first screen:\n{done.stdout}\n{done.stderr}")
    return marks


HEAVY = ("textual", "sqlalchemy", "alembic", "psycopg", "openpyxl", "oms_core.services", "oms_core.storage")
COMMAND = (
    """
import io, sys
from oms_tui.cli import main
main([sys.argv[1]], stdout=io.StringIO())
"""
    + f"print('loaded', ','.join(m for m in {HEAVY!r} if m in sys.modules) or '-')\n"
)


def _command(option: str) -> tuple[float, str]:
    """Seconds for ``oms OPTION`` in a fresh interpreter, and the heavy modules it loaded."""
    started = time.perf_counter()
    done = _child("-c", COMMAND, option)
    seconds = time.perf_counter() - started
    return seconds, done.stdout.split("loaded", 1)[1].strip()


def main() -> None:
    """Measure both, alternating runs so noise hits them alike."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        from oms_core.bootstrap import upgrade_database

        upgrade_database(url)
        _cache_bytecode(Path(folder))
        _time(OMS, url)  # warm the file-system cache and write the bytecode caches for both
        _time(BARE)
        for option in ("--version", "--help"):
            _command(option)
        oms: list[dict[str, float]] = []
        bare: list[dict[str, float]] = []
        commands: dict[str, list[float]] = {"--version": [], "--help": [], "python": []}
        loaded: dict[str, str] = {}
        for _ in range(options.runs):
            oms.append(_time(OMS, url))
            bare.append(_time(BARE))
            for option in ("--version", "--help"):
                seconds, loaded[option] = _command(option)
                commands[option].append(seconds)
            started = time.perf_counter()
            _child("-c", "pass")
            commands["python"].append(time.perf_counter() - started)

    def middle(runs: list[dict[str, float]], mark: str) -> float:
        return median([run[mark] for run in runs])

    print(f"oms database ready behind it: median {middle(oms, 'database'):.3f} s")
    report(
        "oms start-up to first screen", middle(oms, "screen"), middle(bare, "screen"), "s", "bare Textual app"
    )
    report("oms whole process", middle(oms, "exited"), middle(bare, "exited"), "s", "bare Textual app")
    report("memory at the first screen", middle(oms, "rss"), middle(bare, "rss"), "MB", "bare Textual app")
    for option in ("--version", "--help"):
        report(f"oms {option}", median(commands[option]), median(commands["python"]), "s", "bare interpreter")
        print(f"  heavy modules loaded by oms {option}: {loaded[option]}")


if __name__ == "__main__":
    main()
