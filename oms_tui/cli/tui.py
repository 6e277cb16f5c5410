"""``oms`` with no subcommand: the TUI on the configured database, its schema upgraded first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.domain.errors import OmsError

if TYPE_CHECKING:
    from oms_core.services.registry import Services
    from oms_tui.cli.context import CommandContext


def tui_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the TUI for the OS account (or, for an admin, the operator ``OMS_OPERATOR`` names)."""
    bootstrap.check_database_scheme(ctx.database_url)  # the full check runs behind the first screen
    config = bootstrap.Config(ctx.database_url, office=ctx.config)
    return start_tui(config, upgrade=True)


def start_tui(config: bootstrap.Config, upgrade: bool) -> int:
    """Show the first screen at once; upgrade the schema (when asked) and build the services
    behind it, so the operator can start typing while the database opens.
    """
    database_url = config.database_url
    opened: list[bootstrap.Application] = []

    def connect() -> Services:
        try:
            bootstrap.check_database_url(database_url)
            if upgrade:
                bootstrap.upgrade_database(database_url, first_admin=bootstrap.os_account())
            opened.append(bootstrap.build(config))
        except Exception as exc:
            message = bootstrap.database_error_message(exc)
            if message is None:
                raise
            raise OmsError(message) from None
        return opened[0].services

    from oms_tui.app import run_connecting  # Textual loads only when a screen is wanted

    try:
        return run_connecting(config, connect)
    finally:
        for application in opened:
            application.close()
