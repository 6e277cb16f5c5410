"""``oms db upgrade``: create the schema or bring it to the newest migration."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db`` and its ``upgrade`` subcommand."""
    parser = subparsers.add_parser("db", help="database maintenance", description="Database maintenance.")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="create the schema or upgrade it to the newest version",
        description="Create the schema on an empty database, or upgrade it to the newest version. "
        "Safe to run again: a database that is up to date is left alone.",
    )
    upgrade.set_defaults(handler=upgrade_command)


def upgrade_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Upgrade the schema and say where."""
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.upgrade_database(ctx.database_url)
    print(f"database is up to date: {bootstrap.describe_database(ctx.database_url)}", file=ctx.stdout)
    return 0
