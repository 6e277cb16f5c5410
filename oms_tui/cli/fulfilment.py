"""``oms release ORDER...|--all`` hands placed orders to the warehouse (then ``oms export picklist``);
``oms ship import FILE`` records the warehouse's shipping confirmations.

``ship import`` always checks the whole file first and prints what it found: the shipments it would
record, those recorded before, and every problem as one line naming the row and the column. With a
problem nothing is recorded (an .xlsx file also gets a marked-up copy, as the order import does) and
the exit status is 1. Otherwise, unless ``--dry-run``, it records every new shipment in one
transaction, after ``--yes`` or a "y" at the terminal, then captures the payments. Exit 0 when
recorded (or nothing new, or a clean dry run), 1 when the file has problems, 2 for usage errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from oms_core.domain.errors import ValidationError
from oms_core.output_files import check_output_path
from oms_tui.cli import imports
from oms_tui.cli.documents import parse_order_numbers
from oms_tui.text import safe

if TYPE_CHECKING:
    from oms_core.domain.imports import ImportProblem
    from oms_core.domain.ship_files import ShipFile
    from oms_core.services.ship_import import PlannedShipment, ShipImportPreview
    from oms_tui.cli.context import CommandContext

SHIP_IMPORT_HELP = """\
Reads the warehouse's shipping confirmations (CSV or .xlsx): order number, SKU, quantity (a
number, or "all" for what is left of the SKU), carrier, service (optional), tracking number and
ship date; headers in any case and spacing. Rows with the same order and tracking number are
one shipment. Checks the whole file first and prints each problem as one line naming the row
and column; with any problem nothing is recorded and the exit status is 1. Otherwise, unless
--dry-run, records every new shipment in one transaction (after --yes or a "y" at the
terminal), then captures each one's payment. Running the same file again records nothing new
and says so.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``release``."""
    parser = subparsers.add_parser(
        "release",
        help="release placed orders to the warehouse",
        description="Hand placed orders to the warehouse: they appear on the next `oms export picklist`. "
        "Give order numbers or ranges (1501 1510-1520), or --all for every placed order.",
    )
    parser.add_argument("orders", nargs="*", metavar="ORDER", help="order numbers or ranges like 1501-1520")
    parser.add_argument("--all", action="store_true", help="every placed order")
    parser.set_defaults(handler=release_command)

    ship = subparsers.add_parser(
        "ship", help="record shipments from the warehouse's file", description="Shipments from the warehouse."
    )
    actions = ship.add_subparsers(dest="ship_command", metavar="ACTION", required=True)
    read = actions.add_parser(
        "import",
        help="record the shipping confirmations of a CSV or .xlsx file (checked first)",
        description=SHIP_IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    read.add_argument("file", type=Path, metavar="FILE")
    read.add_argument("--dry-run", action="store_true", help="check only; record nothing")
    read.add_argument("--yes", action="store_true", help="record without asking")
    read.add_argument(
        "--errors-out",
        type=Path,
        metavar="FILE",
        help="where the marked-up copy of an .xlsx with problems goes (default: beside FILE)",
    )
    read.set_defaults(handler=ship_import_command)


def release_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Release, then say how many (on stderr) and which (on stdout)."""
    if bool(args.orders) == bool(args.all):
        raise ValidationError("give order numbers or --all (not both)", field="ORDER")
    numbers = parse_order_numbers(args.orders) if args.orders else []
    application = ctx.open_application()
    try:
        service = application.services.fulfilment
        left: list[str] = []
        if args.all:
            run = service.release_all_placed()
            released, left = run.released, run.left
        else:
            orders = [application.services.orders.get_by_number(number) for number in numbers]
            released = [service.release(order.id).number or 0 for order in orders]
    finally:
        application.close()
    print(f"released {len(released):,} order{'s' if len(released) != 1 else ''}", file=ctx.stderr)
    if left:
        print(f"left placed: {len(left):,} (below, why)", file=ctx.stderr)
    for reason in left:
        print(f"  {reason}", file=ctx.stderr)
    for number in released:
        print(number, file=ctx.stdout)
    return 0


def ship_import_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Check, then (confirmed) record. See the module docstring for the exit statuses."""
    from oms_core.services.ship_import import ShipImportRejected
    from oms_core.spreadsheets.reader import ReaderLimits
    from oms_core.spreadsheets.ship_reader import read_ship_file

    path: Path = args.file
    if not path.is_file():
        return imports.usage(ctx, f"there is no file {str(path)!r}")
    if not args.dry_run and not args.yes and not imports.interactive():
        return imports.usage(ctx, "not at a terminal: add --yes to record (or --dry-run to check only)")
    if args.errors_out is not None:
        check_output_path(args.errors_out)
    application = ctx.open_application()
    try:
        service = application.services.ship_import
        parsed = read_ship_file(path, ReaderLimits(max_rows=application.config.max_import_rows))
        preview = service.dry_run(parsed)
        print_ship_preview(preview, ctx.stdout)
        if not preview.ok:
            _report(path, parsed, preview.problems, args.errors_out, ctx)
            return imports.EXIT_FILE_ERRORS
        if not preview.new:
            print(
                f"nothing new: every shipment in {safe(preview.filename)} was recorded before",
                file=ctx.stdout,
            )
            return imports.EXIT_OK
        if args.dry_run:
            print("dry run: nothing was recorded", file=ctx.stderr)
            return imports.EXIT_OK
        if not args.yes and not imports.confirm(ctx, f"Record {_shipments(len(preview.new))}?"):
            print("nothing was recorded", file=ctx.stderr)
            return imports.EXIT_USAGE
        try:
            result = service.run(parsed)
        except ShipImportRejected as exc:  # an operator changed an order since the check
            imports.print_problems(exc.problems, ctx.stdout, "nothing was recorded")
            _report(path, parsed, exc.problems, args.errors_out, ctx)
            return imports.EXIT_FILE_ERRORS
    finally:
        application.close()
    before = f"; {len(result.before):,} recorded before" if result.before else ""
    print(f"recorded {_shipments(len(result.recorded))}{before}", file=ctx.stdout)
    for number, tracking, outcome in result.failed_captures:
        print(f"order {number} ({safe(tracking)}): payment capture {safe(outcome)}", file=ctx.stdout)
    return imports.EXIT_OK


def _report(
    path: Path, parsed: ShipFile, problems: tuple[ImportProblem, ...], out: Path | None, ctx: CommandContext
) -> None:
    """A workbook gets the order import's marked-up copy; a CSV file has only the lines printed."""
    if parsed.sheet or not parsed.header_row:
        imports.write_report(path, parsed, problems, out, ctx)


def print_ship_preview(preview: ShipImportPreview, out: TextIO) -> None:
    """The check as text: the new shipments, those recorded before, then notes and problems."""
    print(
        f"{safe(preview.filename)}: {preview.rows:,} rows, {_shipments(len(preview.new))} to record, "
        f"{len(preview.before):,} recorded before",
        file=out,
    )
    for planned in preview.new:
        print(f"  {_describe(planned)}", file=out)
    for planned in preview.before:
        print(f"  recorded before: {_describe(planned)}", file=out)
    for warning in preview.warnings:
        print(f"note: {safe(str(warning))}", file=out)
    imports.print_problems(list(preview.problems), out, "nothing was recorded")


def _describe(planned: PlannedShipment) -> str:
    service = f" {planned.service}" if planned.service else ""
    return safe(
        f"order {planned.order_number}: {planned.carrier}{service} {planned.tracking_number}, "
        f"{planned.units:,} units, shipped {planned.shipped_at:%Y-%m-%d}"
    )


def _shipments(count: int) -> str:
    return f"{count:,} shipment{'s' if count != 1 else ''}"
