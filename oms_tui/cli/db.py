"""``oms db upgrade`` (create the schema or bring it to the newest migration) and ``oms db backup``."""

from __future__ import annotations

import argparse
from pathlib import Path
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
    upgrade.add_argument(
        "--force",
        action="store_true",
        help="add oms's tables to a database that already holds other tables (refused otherwise)",
    )
    upgrade.set_defaults(handler=upgrade_command)
    backup = actions.add_parser(
        "backup",
        help="copy the SQLite database to FILE while operators keep working",
        description="Copy the SQLite database to FILE with SQLite's online backup: safe while operators "
        "place orders (the copy is the database as it was when the copy began). The copy is checked "
        "(PRAGMA integrity_check) before it is put in place and keeps the database file's permissions. "
        "To restore, stop oms and copy the file back over the database. For PostgreSQL use pg_dump.",
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="the copy to write (a new file)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=backup_command)


def upgrade_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Upgrade the schema and say where."""
    bootstrap.check_database_url(ctx.database_url)
    account = bootstrap.os_account()
    if bootstrap.upgrade_database(ctx.database_url, adopt=args.force, first_admin=account):
        print(bootstrap.first_admin_line(account), file=ctx.stderr)
    print(f"database is up to date: {bootstrap.describe_database(ctx.database_url)}", file=ctx.stdout)
    return 0


def backup_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Copy the database and say what was copied where."""
    print(bootstrap.backup_database(ctx.database_url, args.file, replace=args.force), file=ctx.stdout)
    return 0
