"""``oms club list|process`` and ``oms bulk list|run``: batch jobs without the TUI (cron, a long run).

A run prints a progress line on stderr and ends with the result report on stdout: the counts, then
every member whose order was not placed, with the reason (``--all`` lists the placed ones too).
``--report FILE.xlsx`` also writes the whole table. Ctrl+C stops after the chunk being placed; the
next run goes on from there and never places an order twice.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from oms_core.domain.money import format_money, from_cents
from oms_core.output_files import check_output_path
from oms_core.read_models import TimePosition
from oms_tui.cli.numbers import record_id
from oms_tui.text import safe

if TYPE_CHECKING:
    from oms_core.domain.batches import MemberRow
    from oms_core.services.batch_jobs import BatchView, RunProgress, RunReport
    from oms_core.services.bulk import BulkOrderService
    from oms_core.services.clubs import ClubService
    from oms_tui.cli.context import CommandContext

PAGE = 1_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``club`` and ``bulk``."""
    club = subparsers.add_parser(
        "club",
        help="list club shipments; process one",
        description="Club shipments are made in the TUI (Club shipments, F7). Processing places one "
        "order per active member; run it again to retry the members that failed.",
    )
    club_actions = club.add_subparsers(dest="club_command", metavar="ACTION", required=True)
    listing = club_actions.add_parser("list", help="list shipments", description="List club shipments.")
    listing.set_defaults(handler=club_list_command)
    process = club_actions.add_parser(
        "process",
        help="place the orders of a shipment (again: retry the failed)",
        description="Place one order per active member not yet placed. Members on hold are skipped.",
    )
    _run_arguments(process, "SHIPMENT", "the shipment's id (see `oms club list`)")
    process.set_defaults(handler=club_process_command)

    bulk = subparsers.add_parser(
        "bulk",
        help="list bulk orders; run one",
        description="Bulk orders are made in the TUI (Bulk order, F6). Running one places an order per "
        "customer not yet placed; run it again to retry the customers that failed.",
    )
    bulk_actions = bulk.add_subparsers(dest="bulk_command", metavar="ACTION", required=True)
    listing = bulk_actions.add_parser("list", help="list bulk orders", description="List bulk orders.")
    listing.set_defaults(handler=bulk_list_command)
    run = bulk_actions.add_parser(
        "run",
        help="place the orders of a bulk order (again: retry the failed)",
        description="Place one order per customer of the batch whose order was not placed yet.",
    )
    _run_arguments(run, "BATCH", "the bulk order's id (see `oms bulk list`)")
    run.set_defaults(handler=bulk_run_command)


def _run_arguments(parser: argparse.ArgumentParser, metavar: str, help_text: str) -> None:
    parser.add_argument("batch_id", type=record_id(), metavar=metavar, help=help_text)
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE.xlsx",
        help="also write the result table (checked before anything is placed; its folder must exist)",
    )
    parser.add_argument("--all", action="store_true", help="list every member, not only those not placed")


# -- handlers ---------------------------------------------------------------------------------------


def club_list_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """One shipment per line."""
    application = ctx.open_application()
    try:
        _print_list(_batches(application.services.clubs), ctx.stdout, ctx.stderr, "club shipments")
    finally:
        application.close()
    return 0


def bulk_list_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """One bulk order per line."""
    application = ctx.open_application()
    try:
        _print_list(_batches(application.services.bulk), ctx.stdout, ctx.stderr, "bulk orders")
    finally:
        application.close()
    return 0


def club_process_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Process a shipment, then print its report."""
    _check_report_path(args)
    application = ctx.open_application()
    try:
        service = application.services.clubs
        return _run(service, args, ctx, lambda progress, stop: service.process(args.batch_id, progress, stop))
    finally:
        application.close()


def bulk_run_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run a bulk order, then print its report."""
    _check_report_path(args)
    application = ctx.open_application()
    try:
        service = application.services.bulk
        return _run(service, args, ctx, lambda progress, stop: service.run(args.batch_id, progress, stop))
    finally:
        application.close()


# -- helpers ----------------------------------------------------------------------------------------


def _check_report_path(args: argparse.Namespace) -> None:
    """Refuse a report that could not be written before a single order is placed."""
    if args.report is not None:
        check_output_path(args.report)


def _run(
    service: BulkOrderService | ClubService,
    args: argparse.Namespace,
    ctx: CommandContext,
    start: Callable[[Callable[[RunProgress], None], Callable[[], bool]], RunReport],
) -> int:
    view = service.get(args.batch_id)
    print(f"{_kind(view)} {view.id}: {safe(view.name)}", file=ctx.stderr)
    stop = _StopOnInterrupt(ctx.stderr)
    progress = _ProgressLine(ctx.stderr)
    with stop:
        report = start(progress, stop)
    progress.done()
    rows = _members(service, args.batch_id)
    print_report(service.get(args.batch_id), report, rows, ctx.stdout, every=args.all)
    if args.report is not None:
        from oms_core.spreadsheets.batch_report import export_batch

        count = export_batch(service, args.batch_id, args.report)
        print(f"wrote {count:,} rows to {args.report}", file=ctx.stderr)
    return 0


def print_report(
    view: BatchView, report: RunReport, rows: Iterator[MemberRow], out: TextIO, every: bool
) -> None:
    """The counts of the run and of the batch, then a line per member (not placed, or all)."""
    state = "stopped part-way (run it again to go on)" if report.stopped else "done"
    print(
        f"{_kind(view)} {view.id} {safe(view.name)}: {state}. This run: {report.placed:,} placed, "
        f"{report.failed:,} failed, {report.skipped:,} skipped of {report.tried:,} tried.",
        file=out,
    )
    counts = report.counts
    print(
        f"All members: {counts.placed:,} placed, {counts.failed:,} failed, {counts.skipped:,} skipped, "
        f"{counts.pending:,} pending, {counts.total:,} in all.",
        file=out,
    )
    for row in rows:
        if not every and row.status.value == "placed":
            continue
        order = f"#{row.order_number}" if row.order_number else ""
        total = format_money(from_cents(row.order_total_cents)) if row.order_total_cents is not None else ""
        who = f"{row.customer_number:<9} {safe(row.customer_name)[:28]:<28}"
        print(f"{who} {row.status.value:<8} {order:<9} {total:>10}  {safe(row.reason)}".rstrip(), file=out)


def _members(service: BulkOrderService | ClubService, batch_id: int) -> Iterator[MemberRow]:
    after: int | None = None
    while True:
        page = service.members(batch_id, None, PAGE, after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].customer_id


def _batches(service: BulkOrderService | ClubService) -> Iterator[BatchView]:
    """Every batch of the service's kind, newest first, read in keyset pages of ``PAGE``."""
    after: TimePosition | None = None
    while True:
        page = service.list(PAGE, after)
        yield from page
        if len(page) < PAGE:
            return
        after = TimePosition.after(page[-1])


def _print_list(views: Iterable[BatchView], out: TextIO, err: TextIO, what: str) -> None:
    printed = False
    for view in views:
        printed = True
        counts = view.counts
        extra = f"  {view.club_type_code} ships {view.ship_date.isoformat()}" if view.ship_date else ""
        print(
            f"{view.id:>5}  {safe(view.name)[:40]:<40}  {view.status:<11}  "
            f"{counts.placed:,}/{counts.total:,} placed  {counts.failed:,} failed{extra}",
            file=out,
        )
    if not printed:
        print(f"no {what} yet", file=err)


def _kind(view: BatchView) -> str:
    return "club shipment" if view.kind == "club" else "bulk order"


class _ProgressLine:
    """``placed 1,250 of 10,000 (3 failed, 12 skipped)``: rewritten in place on a terminal, a line per
    chunk otherwise (a log file).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._shown = False

    def __call__(self, progress: RunProgress) -> None:
        text = (
            f"{progress.done:,} of {progress.total:,} done: {progress.placed:,} placed, "
            f"{progress.failed:,} failed, {progress.skipped:,} skipped"
        )
        if self._tty:
            self._stream.write(f"\r{text}\x1b[K")
        else:
            self._stream.write(f"{text}\n")
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        """End the line on a terminal."""
        if self._tty and self._shown:
            self._stream.write("\n")
            self._stream.flush()


class _StopOnInterrupt:
    """The first Ctrl+C asks the run to stop after its chunk; a second one interrupts at once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._asked = False
        self._previous: object = None

    def __call__(self) -> bool:
        return self._asked

    def __enter__(self) -> _StopOnInterrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (tests): Ctrl+C cannot reach us anyway
            self._previous = None
        return self

    def __exit__(self, *_: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._asked:
            raise KeyboardInterrupt
        self._asked = True
        self._stream.write("\nstopping after this chunk (Ctrl+C again to stop at once)\n")
        self._stream.flush()
