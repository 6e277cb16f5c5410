"""Inside the app: last keystroke to search results painted, beside a bare Textual search screen.

Part 1 runs the real OmsApp headless on a database of a million seeded customers (built once, see
``databases.py``), at 80x24 and 120x40, on SQLite and PostgreSQL. For each query (a 4-letter
last-name prefix of a random customer) all but the last letter are typed and left to settle; the
clock starts as the last key is pressed and stops when the first frame after the results reached
the table has been drawn (the compositor's update rendered to terminal output, as a real terminal
would be sent it). The floor: a bare Textual app (a header, an input, a data table with the same
columns, a footer) that runs the same service search in a thread worker on every change of the
input and puts the rows in its table, timed the same way, queries interleaved, same run.

Part 2 places a three-item order for an existing customer with a card on file, default shipping,
starting from the first screen, and counts the keys pressed beyond the text typed (search text,
SKUs). The order must really be placed for the count to be printed (SQLite only).

    .venv/bin/python bench/bench_search_screen.py [--customers 1000000] [--queries 40]
        [--backend sqlite|postgresql|both] [--sizes 80x24,120x40] [--no-keys]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paint  # noqa: E402
from databases import seeded_url  # noqa: E402
from stats import median, p95, report  # noqa: E402
from textual import work  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Footer, Header, Input  # noqa: E402

from oms_core.bootstrap import Config, build, upgrade_database  # noqa: E402
from oms_core.read_models import CustomerSummary  # noqa: E402
from oms_core.services.registry import Services  # noqa: E402
from oms_tui.app import OmsApp, settle_heap  # noqa: E402
from oms_tui.widgets.customer_search import CustomerSearch  # noqa: E402

paint.install()


class BareSearch(App[None]):
    """The floor: the least a Textual search screen can do over the same service."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        paint.reset(self)
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="query")
        yield DataTable(cursor_type="row", id="results")
        yield Footer()

    def on_mount(self) -> None:
        labels = ("Number", "Name", "Company", "Email", "Phone", "City", "St", "Type")
        self.query_one(DataTable).add_columns(*labels)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.busy = True
        self.search(event.value)

    @work(thread=True, exclusive=True)
    def search(self, text: str) -> None:
        rows = self.services.customers.search(text, 51) if text.strip() else []
        self.call_from_thread(self.show, rows)

    def show(self, rows: list[CustomerSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            (r.number, f"{r.last_name}, {r.first_name}", r.company, r.email)
            + (r.phone, r.city, r.state, r.type_code)
            for r in rows[:50]
        )
        self.busy = False
        paint.mark_results(self)


def _patch_oms() -> None:
    original_show = CustomerSearch._show

    def show(self: CustomerSearch, *args: object, **kwargs: object) -> None:
        original_show(self, *args, **kwargs)  # type: ignore[arg-type]
        paint.mark_results(self.app)

    CustomerSearch._show = show  # type: ignore[method-assign]


def _queries(services: Services, count: int) -> list[str]:
    """4-letter last-name prefixes of random customers (numbers drawn, then looked up)."""
    rng = random.Random(11)
    out: list[str] = []
    while len(out) < count:
        number = f"C{rng.randint(1, 900_000 if count > 100 else 9_000):06d}"
        found = services.customers.search(number, 1)
        if found and len(found[0].last_name) >= 4 and found[0].last_name.isalpha():
            out.append(found[0].last_name[:4].lower())
    return out


async def _latencies(app: App, size: tuple[int, int], queries: list[str], busy) -> list[float]:  # noqa: ANN001
    """Milliseconds from pressing each query's last key to the first frame drawn with its results."""
    timings: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)

        async def settle() -> None:
            await pilot.pause(0.01)
            while busy(app):
                await pilot.pause(0.002)
            await pilot.pause(0.05)

        field = app.screen.query_one(Input)
        await settle()
        for text in queries:
            field.value = ""
            await settle()
            await pilot.press(*text[:-1])
            await settle()
            paint.reset(app)
            started = time.perf_counter()
            await pilot.press(text[-1])
            while not app.bench_painted_at:  # type: ignore[attr-defined]
                await pilot.pause(0.0005)
            timings.append((app.bench_painted_at - started) * 1000)  # type: ignore[attr-defined]
    return timings


async def _oms_latency(services: Services, size: tuple[int, int], queries: list[str]) -> list[float]:
    app = OmsApp(services, "bench")
    paint.reset(app)

    def busy(app: App) -> bool:
        return any(search.busy for search in app.screen.query(CustomerSearch))

    return await _latencies(app, size, queries, busy)


async def _bare_latency(services: Services, size: tuple[int, int], queries: list[str]) -> list[float]:
    return await _latencies(BareSearch(services), size, queries, lambda app: app.busy)


def measure(backend: str, customers: int, queries_wanted: int, sizes: list[tuple[int, int]]) -> None:
    """Print the latency beside the floor for every size, alternating oms and the bare screen."""
    url = seeded_url(backend, customers)
    upgrade_database(url)
    services = build(Config(url, operator="bench")).services
    queries = _queries(services, queries_wanted)
    # What `oms` does once its database is open (``run_connecting``); the bare screen, in the
    # same process, gains from it as much.
    settle_heap()
    for size in sizes:
        oms_ms: list[float] = []
        bare_ms: list[float] = []
        half = max(len(queries) // 2, 1)
        for chunk in (queries[:half], queries[half:]):  # alternated, so a slow spell hits both
            if not chunk:
                continue
            bare_ms += asyncio.run(_bare_latency(services, size, chunk))
            oms_ms += asyncio.run(_oms_latency(services, size, chunk))
        label = f"{backend}, {size[0]}x{size[1]}, {customers:,} customers, {len(queries)} queries"
        print(label)
        report("  last key to results painted, median", median(oms_ms), median(bare_ms), "ms", "bare Textual")
        report("  last key to results painted, p95", p95(oms_ms), p95(bare_ms), "ms", "bare Textual")
    direct = []
    for text in queries:
        started = time.perf_counter()
        services.customers.search(text, 51)
        direct.append((time.perf_counter() - started) * 1000)
    print(
        f"  {backend}: the same searches called directly: "
        f"median {median(direct):.2f} ms, p95 {p95(direct):.2f} ms"
    )


async def keys_for_an_order(url: str) -> tuple[int, int]:
    """(keys beyond typed text, order number) for a 3-item order with a card on file."""
    import sqlite3

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    number = connection.execute(
        "SELECT c.number FROM customers c JOIN cards k ON k.customer_id = c.id "
        "WHERE c.status = 'active' AND k.token LIKE 'tok_test_%' AND c.preferred_pickup = 0 "
        "AND c.type_code = 'RETAIL' ORDER BY c.id LIMIT 1"
    ).fetchone()[0]
    skus = [
        row[0]
        for row in connection.execute(
            "SELECT sku FROM products WHERE active = 1 AND stock_on_hand > 10 ORDER BY id LIMIT 3"
        )
    ]
    connection.close()
    app = OmsApp(build(Config(url, operator="bench")).services)
    keys = 0

    async def key(*names: str) -> None:
        nonlocal keys
        keys += len(names)
        await pilot.press(*names)
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*number)  # search text
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        await key("enter")  # open the record
        await key("o")  # place order
        for sku in skus:
            await pilot.press(*sku)  # SKU text
            await key("enter")
            await key("enter")  # quantity 1 (default) and add
        await key("f9")  # checkout: defaults chosen
        await key("f9")  # place
        await pilot.pause(0.2)
        placed = app.services.orders.list(limit=1)[0]
    return keys, placed.number or 0


def main() -> None:
    """Part 1 on each backend and size; part 2 on SQLite."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sizes", default="80x24,120x40")
    parser.add_argument("--no-keys", action="store_true", help="skip part 2")
    options = parser.parse_args()
    _patch_oms()
    sizes = [tuple(int(n) for n in size.split("x")) for size in options.sizes.split(",")]
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    for backend in backends:
        measure(backend, options.customers, options.queries, sizes)  # type: ignore[arg-type]
    if not options.no_keys:
        keys, number = asyncio.run(keys_for_an_order(seeded_url("sqlite", options.customers)))
        print(
            f"keys beyond typed text for a 3-item order, card on file, default shipping: {keys} "
            f"(order {number} placed; target 12 or fewer)"
        )


if __name__ == "__main__":
    main()
