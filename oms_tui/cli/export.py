"""``oms export``: customers, products or orders as CSV, JSON or xlsx."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.output_files import check_output_path, is_stdout

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext

KINDS = ("customers", "products", "orders")
FORMATS = ("csv", "json", "xlsx")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export``."""
    parser = subparsers.add_parser(
        "export",
        help="export customers, products or orders as CSV, JSON or xlsx",
        description="Export every customer, product or (non-draft) order. CSV and JSON go to standard "
        "output unless --out is given; xlsx needs --out. Orders are one row per line in CSV and xlsx, "
        "one object with nested lines in JSON. Money is written as 1234.50.",
    )
    parser.add_argument("kind", choices=KINDS, help="what to export")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to FILE (a regular file; its folder must exist) instead of standard output; - is "
        "standard output",
    )
    parser.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Export, then say how many rows went where (on stderr, so stdout stays the data)."""
    out = None if args.out is None or is_stdout(args.out) else check_output_path(args.out)
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.require_database(ctx.database_url)
    count = bootstrap.export_data(ctx.database_url, args.kind, args.format, out, ctx.stdout)
    if out is not None:
        print(f"wrote {count:,} rows to {out}", file=ctx.stderr)
    return 0
