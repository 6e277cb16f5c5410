"""``oms`` with no subcommand: the TUI on the configured database, its schema upgraded first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap

if TYPE_CHECKING:
    from oms_tui.commands import CommandContext


def tui_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the TUI for the current OS user."""
    bootstrap.check_database_url(ctx.database_url)
    return start_tui(ctx.database_url, bootstrap.current_username(), upgrade=True)


def start_tui(database_url: str, operator: str, upgrade: bool) -> int:
    """Upgrade the schema (when asked), build the application and run the TUI until it quits."""
    if upgrade:
        bootstrap.upgrade_database(database_url)
    application = bootstrap.build(bootstrap.Config(database_url, operator=operator))
    try:
        from oms_tui.app import run_app  # Textual loads only when a screen is wanted

        run_app(application)
    finally:
        application.close()
    return 0
