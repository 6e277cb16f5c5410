"""``oms`` with no subcommand: the TUI on the configured database, its schema upgraded first."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, TextIO

from oms_core import bootstrap
from oms_core.domain.errors import OmsError

log = logging.getLogger("oms.cli")

if TYPE_CHECKING:
    from oms_core.services.registry import Services
    from oms_tui.cli.context import CommandContext


def tui_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the TUI for the OS account (or, for an admin, the operator ``OMS_OPERATOR`` names)."""
    bootstrap.check_database_scheme(ctx.database_url)  # the full check runs behind the first screen
    config = bootstrap.Config(ctx.database_url, office=ctx.config)
    return start_tui(config, upgrade=True, stderr=ctx.stderr)


def start_tui(config: bootstrap.Config, upgrade: bool, stderr: TextIO | None = None) -> int:
    """Show the first screen at once; upgrade the schema (when asked) and build the services
    behind it, so the operator can start typing while the database opens.

    When the upgrade created the database, its creator became the first admin: that is logged at
    once and said on ``stderr`` when the screens close (nothing can be printed while they draw).
    """
    database_url = config.database_url
    opened: list[bootstrap.Application] = []
    first_admin: list[str] = []

    def connect() -> Services:
        try:
            bootstrap.check_database_url(database_url)
            account = bootstrap.os_account()
            if upgrade and bootstrap.upgrade_database(database_url, first_admin=account):
                first_admin.append(account)
                log.info("%s created the database and is its first admin", account)
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
        if first_admin and stderr is not None:
            print(bootstrap.first_admin_line(first_admin[0]), file=stderr)
