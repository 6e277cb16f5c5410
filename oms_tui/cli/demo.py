"""``oms demo``: a ready-made demo office (seeded once), opened in the TUI as an admin."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.demo.plan import DEMO_PLAN

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    parser = subparsers.add_parser(
        "demo",
        help="open a demo database (seeded on first use) as an admin",
        description=(
            f"Open the demo database in the TUI. On first use it is created and seeded with about "
            f"{DEMO_PLAN.customers:,} customers, {DEMO_PLAN.products:,} products and {DEMO_PLAN.orders:,} "
            "placed orders (fixed seed), and you are registered as an admin so every action works. "
            "Without --db the demo has its own file (demo.db beside the default oms.db) and never "
            "touches the office database."
        ),
    )
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Prepare the demo database, then run the TUI on it."""
    from oms_tui.cli.tui import start_tui

    url = ctx.database_url if ctx.db_given else bootstrap.demo_database_url()
    bootstrap.check_database_url(url)
    username = bootstrap.session_operator()  # the demo lets anyone be anyone: it is made-up data
    if ctx.stderr.isatty():
        print(f"oms: preparing the demo in {bootstrap.describe_database(url)}", file=ctx.stderr, flush=True)
    report = bootstrap.prepare_demo(url, username)
    if report is not None and ctx.stderr.isatty():
        print(f"oms: {report.summary()}", file=ctx.stderr, flush=True)
    return start_tui(
        bootstrap.Config(url, operator=username, office=ctx.config, test_gateway=True, acting_admin=""),
        upgrade=False,
    )
