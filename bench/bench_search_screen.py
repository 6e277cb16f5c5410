"""Inside the app: keystroke-to-results latency of the Customers screen, and keys per order.

Part 1 runs the real OmsApp headless at 80x24 on the million-customer database of
``bench_search.py`` (seeded there once). For each query, all but its last character are typed and
left to settle; then the clock runs from pressing the last key to the results table repainted
(which includes the screen's 150 ms typing pause, so a burst of keys makes one query). Beside it,
the same search called directly on the service. Median and p95.

Part 2 places a three-item order for an existing customer with a card on file, default shipping,
starting from the first screen, and counts the keys pressed beyond the text typed (search text,
SKUs, quantities). The order must really be placed for the count to be printed.

    .venv/bin/python bench/bench_search_screen.py [--customers 1000000] [--queries 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import seeded_database  # noqa: E402
from stats import median, p95, report  # noqa: E402

from oms_core.bootstrap import Config, build, upgrade_database  # noqa: E402
from oms_tui.app import OmsApp  # noqa: E402
from oms_tui.widgets.customer_search import DEBOUNCE_SECONDS, CustomerSearch  # noqa: E402


def _queries(path: Path, count: int) -> list[str]:
    connection = sqlite3.connect(path)
    total = connection.execute("SELECT max(id) FROM customers").fetchone()[0]
    rng = random.Random(11)
    out = []
    for customer_id in rng.sample(range(1, total + 1), count):
        row = connection.execute("SELECT last_name FROM customers WHERE id = ?", (customer_id,)).fetchone()
        if row and len(row[0]) >= 4:
            out.append(row[0][:4].lower())
    connection.close()
    return out


async def _settle(pilot, search: CustomerSearch) -> None:
    while search.busy:
        await pilot.pause(0.001)
    await pilot.pause()


async def screen_latency(url: str, queries: list[str]) -> list[float]:
    """Milliseconds from the key event of each query's last character to its results repainted.

    The clock starts when the search box handles the key (the widget's ``_start_search``, called
    for every change of the text) and stops when the results are in the table and its repaint has
    been asked for (it is drawn in the next frame), so Pilot's own key delivery is not counted.
    """
    started_at: list[float] = []
    shown_at: list[float] = []
    original, original_show = CustomerSearch._start_search, CustomerSearch._show

    def start_search(self: CustomerSearch, text: str) -> None:
        started_at.append(time.perf_counter())
        original(self, text)

    def show(self: CustomerSearch, *args: object, **kwargs: object) -> None:
        original_show(self, *args, **kwargs)  # type: ignore[arg-type]
        self.table.refresh()
        shown_at.append(time.perf_counter())

    CustomerSearch._start_search = start_search  # type: ignore[method-assign]
    CustomerSearch._show = show  # type: ignore[method-assign]
    app = OmsApp(build(Config(url, operator="bench")).services)
    timings = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            search = app.screen.query_one(CustomerSearch)
            for text in queries:
                search.query_input.value = ""
                await _settle(pilot, search)
                await pilot.press(*text[:-1])
                await _settle(pilot, search)
                await pilot.press(text[-1])
                await pilot.pause(0.001)
                await _settle(pilot, search)
                timings.append((shown_at[-1] - started_at[-1]) * 1000)
    finally:
        CustomerSearch._start_search = original  # type: ignore[method-assign]
        CustomerSearch._show = original_show  # type: ignore[method-assign]
    return timings


async def keys_for_an_order(url: str) -> tuple[int, int]:
    """(keys beyond typed text, order number) for a 3-item order with a card on file."""
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
        await pilot.pause(DEBOUNCE_SECONDS + 0.1)
        await app.workers.wait_for_complete()
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
    """Both parts on the million-customer database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=60)
    options = parser.parse_args()
    path = seeded_database(options.customers, fresh=False)
    url = f"sqlite:///{path}"
    upgrade_database(url)
    queries = _queries(path, options.queries)
    screen = asyncio.run(screen_latency(url, queries))
    services = build(Config(url, operator="bench")).services
    direct = []
    for text in queries:
        started = time.perf_counter()
        services.customers.search(text, 51)
        direct.append((time.perf_counter() - started) * 1000)
    pause = DEBOUNCE_SECONDS * 1000
    print(f"{options.customers:,} customers, {len(queries)} queries (4-letter last-name prefixes)")
    report(
        "keystroke to results repainted, median",
        median(screen),
        median(direct),
        "ms",
        "the same search called directly",
    )
    report(
        "keystroke to results repainted, p95",
        p95(screen),
        p95(direct),
        "ms",
        "the same search called directly",
    )
    print(
        f"  of which the typing pause: {pause:.0f} ms; without it: median "
        f"{median(screen) - pause:.1f} ms, p95 {p95(screen) - pause:.1f} ms"
    )
    keys, number = asyncio.run(keys_for_an_order(url))
    print(
        f"keys beyond typed text for a 3-item order, card on file, default shipping: {keys} "
        f"(order {number} placed; target 12 or fewer)"
    )


if __name__ == "__main__":
    main()
