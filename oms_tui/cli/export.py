"""``oms export``: customers, products or orders as CSV, JSON or xlsx."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.domain.errors import OmsError
from oms_core.output_files import check_output_path, is_stdout

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext

KINDS = ("customers", "products", "orders", "picklist")
FORMATS = ("csv", "json", "xlsx")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export``."""
    parser = subparsers.add_parser(
        "export",
        help="export customers, products, orders or the warehouse's picklist as CSV, JSON or xlsx",
        description="Export every customer, product or (non-draft) order. CSV and JSON go to standard "
        "output unless --out is given; xlsx needs --out. Orders are one row per line in CSV and xlsx, "
        "one object with nested lines in JSON. Money is written as 1234.50. The picklist lists every "
        "line of the orders released to the warehouse since the last picklist (remembered once the "
        "file is written), or of those released from --since to --until (dates, UTC).",
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
    parser.add_argument("--since", type=_day, metavar="DATE", help="picklist: released on or after DATE")
    parser.add_argument("--until", type=_day, metavar="DATE", help="picklist: released on or before DATE")
    parser.set_defaults(handler=export_command)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-28") from None


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def export_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Export, then say how many rows went where (on stderr, so stdout stays the data)."""
    out = None if args.out is None or is_stdout(args.out) else check_output_path(args.out)
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.require_database(ctx.database_url)
    if args.kind == "picklist":
        since = _midnight(args.since)
        until = _midnight(args.until + timedelta(days=1)) if args.until else None
        config = bootstrap.Config(ctx.database_url, office=ctx.config)
        count = bootstrap.export_picklist(config, args.format, out, ctx.stdout, since, until)
    elif args.since or args.until:
        raise OmsError("--since and --until go with the picklist only")
    else:
        count = bootstrap.export_data(ctx.database_url, args.kind, args.format, out, ctx.stdout)
    if out is not None:
        print(f"wrote {count:,} rows to {out}", file=ctx.stderr)
    return 0
