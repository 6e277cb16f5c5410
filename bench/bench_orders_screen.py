"""Orders screen: every filter and some combinations, first page painted, beside opening a bare list.

On a database of seeded customers and orders (built once, see ``databases.py``), SQLite and/or
PostgreSQL, the real OmsApp runs headless at 80x24 on its Orders screen. For each filter (status,
date range, customer, operator, source, and combinations of them) the filter bar is set and
applied, and the clock runs from applying it to the first frame drawn with the new first page (the
typing pause of typed filters is not counted: a choice from a list has none). Then PageDown at the
bottom loads the next page (keyset paging), timed the same way. Floor: a bare Textual app that
pushes a screen holding a data table filled with the first page of the unfiltered list from the
same service in a thread worker, from the push to the first frame with its rows, same run.

    .venv/bin/python bench/bench_orders_screen.py [--customers 1000000] [--orders 1000000]
        [--backend sqlite|postgresql|both] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paint  # noqa: E402
from databases import seeded_url  # noqa: E402
from stats import median, report  # noqa: E402
from textual import work  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable, Footer, Header, Input, Select  # noqa: E402

from oms_core.bootstrap import Config, build, upgrade_database  # noqa: E402
from oms_core.read_models import OrderFilter, OrderSummary  # noqa: E402
from oms_core.services.registry import Services  # noqa: E402
from oms_tui.app import OmsApp  # noqa: E402
from oms_tui.screens.orders import OrdersScreen  # noqa: E402
from oms_tui.widgets.paged_table import PagedTable  # noqa: E402

paint.install()


class BareList(Screen[None]):
    """The floor: a table filled with the first page of orders."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Order", "Placed", "Status", "Customer", "Lines", "Total", "By")
        self.load()

    @work(thread=True)
    def load(self) -> None:
        rows = self.services.orders.list(OrderFilter(), 51)
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[OrderSummary]) -> None:
        self.query_one(DataTable).add_rows(
            (o.number, str(o.placed_at), o.status, f"{o.customer_number} {o.customer_name}")
            + (o.line_count, str(o.total), o.operator)
            for o in rows[:50]
        )
        paint.mark_results(self.app)


class BareApp(App[None]):
    """Pushes and pops the bare list screen."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        paint.reset(self)


async def _wait_painted(pilot, app: App) -> float:  # noqa: ANN001
    while not app.bench_painted_at:  # type: ignore[attr-defined]
        await pilot.pause(0.0005)
    return app.bench_painted_at  # type: ignore[attr-defined]


async def bare_open(services: Services, rounds: int) -> list[float]:
    """Milliseconds from pushing the bare list screen to its first page drawn."""
    app = BareApp(services)
    timings = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        for _ in range(rounds):
            paint.reset(app)
            started = time.perf_counter()
            await app.push_screen(BareList(services))
            timings.append((await _wait_painted(pilot, app) - started) * 1000)
            await pilot.pause(0.05)
            app.pop_screen()
            await pilot.pause(0.05)
    return timings


def filters(sample: OrderSummary, newest: date) -> dict[str, dict[str, str]]:
    """Filter bar settings by name (values as typed), from a sample order of the database."""
    month = (str(newest - timedelta(days=30)), str(newest - timedelta(days=20)))
    return {
        "none": {},
        "status placed": {"status-filter": "placed"},
        "status shipped": {"status-filter": "shipped"},
        "status cancelled": {"status-filter": "cancelled"},
        "date range": {"placed-from": month[0], "placed-to": month[1]},
        "customer": {"customer-number": sample.customer_number},
        "operator": {"operator-filter": sample.operator},
        "source fax": {"source-filter": "fax"},
        "status + operator": {"status-filter": "cancelled", "operator-filter": sample.operator},
        "status + date range": {"status-filter": "shipped", "placed-from": month[0], "placed-to": month[1]},
        "source + status": {"source-filter": "email", "status-filter": "released"},
        "operator + date range": {
            "operator-filter": sample.operator,
            "placed-from": month[0],
            "placed-to": month[1],
        },
        "customer + status": {"customer-number": sample.customer_number, "status-filter": "shipped"},
        "on hold": {"status-filter": "on hold"},
        "on hold + operator": {"status-filter": "on hold", "operator-filter": sample.operator},
        "on hold + source": {"status-filter": "on hold", "source-filter": "fax"},
        "source + operator": {"source-filter": "fax", "operator-filter": sample.operator},
        "rare source + operator": {"source-filter": "import", "operator-filter": sample.operator},
        "customer + date range": {
            "customer-number": sample.customer_number,
            "placed-from": month[0],
            "placed-to": month[1],
        },
        "status + source + operator + dates": {
            "status-filter": "delivered",
            "source-filter": "email",
            "operator-filter": sample.operator,
            "placed-from": month[0],
            "placed-to": month[1],
        },
    }


async def oms_filters(
    services: Services, settings: dict[str, dict[str, str]], rounds: int
) -> dict[str, list[float]]:
    """Per filter: milliseconds from applying it to its first page drawn; and paging on."""
    original_show = OrdersScreen._show

    def show(self: OrdersScreen, *args: object, **kwargs: object) -> None:
        original_show(self, *args, **kwargs)  # type: ignore[arg-type]
        paint.mark_results(self.app)

    OrdersScreen._show = show  # type: ignore[method-assign]
    app = OmsApp(services, "bench")
    paint.reset(app)
    timings: dict[str, list[float]] = {name: [] for name in settings}
    timings["next page (keyset)"] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            await pilot.press("f3")
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            screen = app.screen
            assert isinstance(screen, OrdersScreen)
            for _ in range(rounds):
                for name, values in settings.items():
                    with screen.prevent(Input.Changed, Select.Changed):
                        for widget in screen.query(Input):
                            widget.value = values.get(widget.id or "", "")
                        for select in screen.query(Select):
                            select.value = values.get(select.id or "", "")
                    await pilot.pause(0.02)
                    paint.reset(app)
                    started = time.perf_counter()
                    screen._apply_filters()
                    timings[name].append((await _wait_painted(pilot, app) - started) * 1000)
                    table = screen.query_one(PagedTable)
                    if name == "none" and table.has_more:
                        table.focus()
                        table.move_cursor(row=table.row_count - 1)
                        await pilot.pause(0.02)
                        paint.reset(app)
                        started = time.perf_counter()
                        table.action_page_down()
                        timings["next page (keyset)"].append(
                            (await _wait_painted(pilot, app) - started) * 1000
                        )
    finally:
        OrdersScreen._show = original_show  # type: ignore[method-assign]
    return timings


def measure(backend: str, customers: int, orders: int, rounds: int) -> None:
    """Print every filter's first page beside the bare list for one backend."""
    url = seeded_url(backend, customers, orders)
    upgrade_database(url)
    services = build(Config(url, operator="bench")).services
    sample = services.orders.list(OrderFilter(status="shipped"), 200)[-1]
    newest = services.orders.list(OrderFilter(), 1)[0].placed_at
    settings = filters(sample, (newest or sample.placed_at).date())  # type: ignore[union-attr]
    floor: list[float] = []
    figures: dict[str, list[float]] = {}
    for _ in range(2):  # alternated halves, so a slow spell hits both
        floor += asyncio.run(bare_open(services, max(rounds // 2, 1) * 3))
        for name, values in asyncio.run(oms_filters(services, settings, max(rounds // 2, 1))).items():
            figures.setdefault(name, []).extend(values)
    print(
        f"{backend}: {customers:,} customers, {orders:,} orders (asked), first page painted at 80x24; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for name, values in figures.items():
        report(f"  {name:<34} median", median(values), median(floor), "ms", "open the bare list screen")
    worst = max(median(values) for values in figures.values())
    print(f"  worst filter median {worst:.1f} ms = {worst / median(floor):.2f}x the floor (target 2x)")


def main() -> None:
    """Each backend asked for."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=4)
    options = parser.parse_args()
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    for backend in backends:
        measure(backend, options.customers, options.orders, options.rounds)


if __name__ == "__main__":
    main()
