"""``oms import template FILE.xlsx`` and ``oms import orders FILE.xlsx``: spreadsheet orders without the TUI.

``import orders`` always dry-runs first and prints what it found: the number of orders, units per
SKU, the totals and every problem by row and column. With problems nothing is written, the error
report (a marked-up copy of the file) is written beside the file or to ``--errors-out``, and the exit
status is 1. Otherwise, unless ``--dry-run``, it imports: all or nothing, after ``--yes`` or a "y" at
the terminal. Exit 0 when imported (or a clean dry run), 1 when the file has errors, 2 for usage
errors (unknown purchaser or payment, no confirmation without a terminal...).

Payment (``--payment``): ``card-on-file`` (the purchaser's first card), ``card-on-file:4242`` (the
card ending 4242), ``check:1042``, ``on-account``, ``cash``, or ``new-card`` (typed at the terminal,
hidden, then tokenised; refused without one).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from oms_core import bootstrap
from oms_core.domain.errors import NotFound, OmsError, ValidationError
from oms_core.domain.imports import ImportProblem, OrderFile
from oms_core.domain.money import format_money
from oms_core.domain.payments import CardEntry, PaymentChoice, card_digits, parse_expiry
from oms_core.domain.ship_files import ShipFile
from oms_core.output_files import check_output_path
from oms_tui.cli.numbers import bounded_int
from oms_tui.text import safe

if TYPE_CHECKING:
    from oms_core.config import OfficeConfig
    from oms_core.services.imports import ImportPreview, ImportService
    from oms_tui.cli.context import CommandContext

EXIT_OK = 0
EXIT_FILE_ERRORS = 1
EXIT_USAGE = 2
MAX_PROBLEMS_PRINTED = 200


ORDERS_HELP = """\
Dry-runs first and prints what it found: the number of orders, units per SKU, the totals
and every problem by row and column. With problems nothing is written, the error report
(a marked-up copy of the file) goes beside the file or to --errors-out, and the exit
status is 1. Otherwise, unless --dry-run, it imports: all or nothing, after --yes or a
"y" at the terminal. Exit 0 when imported (or a clean dry run), 1 when the file has
errors, 2 for usage errors.

--payment: card-on-file (the purchaser's first card), card-on-file:4242 (the card ending
4242), check:1042, on-account, cash, or new-card (typed at the terminal, hidden).
"""


class Refused(Exception):
    """A usage problem: the message is printed as one line and the exit status is 2."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import template`` and ``import orders``."""
    parser = subparsers.add_parser(
        "import",
        help="import orders from a spreadsheet; write the template",
        description="Orders from a spreadsheet: one purchaser pays, each row is a recipient and an order.",
    )
    actions = parser.add_subparsers(dest="import_command", metavar="ACTION", required=True)
    template = actions.add_parser(
        "template",
        help="write the import template (.xlsx)",
        description="Write the template: the Orders sheet with its header, an example row and a drop-down "
        "of the shipping methods, and an Instructions sheet.",
    )
    template.add_argument("file", type=Path, metavar="FILE.xlsx")
    template.add_argument(
        "--pairs",
        type=bounded_int(1, 50),
        default=3,
        metavar="N",
        help="SKU/Qty pairs to start with (3; 1 to 50)",
    )
    template.add_argument("--force", action="store_true", help="replace FILE.xlsx if it exists")
    template.set_defaults(handler=template_command)

    orders = actions.add_parser(
        "orders",
        help="import the orders of a spreadsheet (dry run first)",
        description=ORDERS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    orders.add_argument("file", type=Path, metavar="FILE.xlsx")
    orders.add_argument("--purchaser", required=True, metavar="CUSTOMER", help="customer number or email")
    orders.add_argument("--payment", required=True, metavar="METHOD", help="see above")
    orders.add_argument(
        "--per-order", action="store_true", help="one payment per order (default: one in all)"
    )
    orders.add_argument("--dry-run", action="store_true", help="check and price only; write nothing")
    orders.add_argument(
        "--errors-out",
        type=Path,
        metavar="FILE",
        help="where the error report goes (its folder must exist; default: beside FILE.xlsx)",
    )
    orders.add_argument("--yes", action="store_true", help="import without asking")
    orders.add_argument(
        "--allow-duplicate", action="store_true", help="import a file that was imported before, again"
    )
    orders.set_defaults(handler=orders_command)


def interactive() -> bool:
    """True when a person is at the terminal (both ends); tests replace this."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def build_application(database_url: str, office: OfficeConfig) -> bootstrap.Application:
    """The application on ``database_url`` with the office's settings; tests replace this to fix the clock."""
    bootstrap.check_database_url(database_url)
    bootstrap.require_database(database_url)
    return bootstrap.build(bootstrap.Config(database_url, office=office))


# -- template ---------------------------------------------------------------------------------------


def template_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Write the template with the office's shipping methods."""
    from oms_core.spreadsheets.template import write_template

    path: Path = args.file
    if path.suffix.lower() != ".xlsx":
        return usage(ctx, f"the template is an .xlsx file; got {str(path)!r}")
    if path.exists() and not args.force:
        return usage(ctx, f"{path} exists; add --force to replace it")
    check_output_path(path)
    application = build_application(ctx.database_url, ctx.config)
    try:
        methods = application.services.cart.shipping_methods()
        write_template(path, methods, pairs=args.pairs, max_rows=application.config.max_import_rows)
    finally:
        application.close()
    print(f"wrote the import template to {path}", file=ctx.stderr)
    return EXIT_OK


# -- orders -----------------------------------------------------------------------------------------


def orders_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Dry run, then (confirmed) import. See the module docstring for the exit statuses."""
    from oms_core.spreadsheets.reader import ReaderLimits, read_order_file

    path: Path = args.file
    if not path.is_file():
        return usage(ctx, f"there is no file {str(path)!r}")
    if not args.dry_run and not args.yes and not interactive():
        return usage(ctx, "not at a terminal: add --yes to import (or --dry-run to check only)")
    if args.errors_out is not None:
        check_output_path(args.errors_out)  # before the work, not after the import failed
    application = build_application(ctx.database_url, ctx.config)
    try:
        imports = application.services.imports
        try:
            purchaser = _purchaser(application, args.purchaser)
            payment = _payment(imports, purchaser, args.payment)
        except Refused as exc:
            return usage(ctx, str(exc))
        parsed = read_order_file(path, ReaderLimits(max_rows=application.config.max_import_rows))
        one_payment = not args.per_order
        preview = imports.dry_run(parsed, purchaser, payment, one_payment)
        print_preview(preview, ctx.stdout)
        if not preview.ok:
            write_report(path, parsed, preview.problems, args.errors_out, ctx)
            return EXIT_FILE_ERRORS
        if args.dry_run:
            print("dry run: nothing was written", file=ctx.stderr)
            return EXIT_OK
        if preview.earlier_imports and not args.allow_duplicate and not confirm(ctx, "Import it again?"):
            return usage(ctx, "the same file was imported before; add --allow-duplicate to import it again")
        question = f"Import {_orders(preview.ready)} ({format_money(preview.total)})?"
        if not args.yes and not confirm(ctx, question):
            print("nothing was imported", file=ctx.stderr)
            return EXIT_USAGE
        return _run(
            imports, parsed, purchaser, payment, one_payment, bool(preview.earlier_imports), args, ctx
        )
    finally:
        application.close()


def _run(
    imports: ImportService,
    parsed: OrderFile,
    purchaser: int,
    payment: PaymentChoice,
    one_payment: bool,
    allow_duplicate: bool,
    args: argparse.Namespace,
    ctx: CommandContext,
) -> int:
    from oms_core.services.imports import DuplicateImportFile, ImportRejected

    progress = _Progress(ctx.stderr)
    try:
        result = imports.run(
            parsed,
            purchaser,
            payment,
            one_payment,
            allow_duplicate_file=allow_duplicate,
            progress=progress,
        )
    except ImportRejected as exc:
        progress.done()
        print_problems(exc.problems, ctx.stdout)
        write_report(args.file, parsed, exc.problems, args.errors_out, ctx)
        return EXIT_FILE_ERRORS
    except DuplicateImportFile as exc:
        progress.done()
        return usage(ctx, f"{exc}; add --allow-duplicate")
    progress.done()
    numbers = f"#{result.first_number}" + (f" to #{result.last_number}" if result.orders > 1 else "")
    print(
        f"imported {_orders(result.orders)} ({numbers}), total {format_money(result.total)}, "
        f"paid by {safe(result.payment_label)}",
        file=ctx.stdout,
    )
    return EXIT_OK


def print_preview(preview: ImportPreview, out: TextIO) -> None:
    """The dry run as text: what would be placed, then every warning and problem."""
    who = f"{preview.purchaser.number} {safe(preview.purchaser.name)}"
    charge = "one payment for the whole file" if preview.one_payment else "one payment per order"
    print(f"{safe(preview.filename)}: {preview.orders:,} order rows for {who}", file=out)
    print(f"payment: {safe(preview.payment_label)} ({charge})", file=out)
    if preview.units:
        units = ", ".join(f"{safe(sku)} {count:,}" for sku, count in preview.units)
        print(f"units: {units}", file=out)
    print(
        f"{preview.ready:,} orders priced: subtotal {format_money(preview.subtotal)}, "
        f"shipping {format_money(preview.shipping)}, tax {format_money(preview.tax)}, "
        f"total {format_money(preview.total)}",
        file=out,
    )
    for record in preview.earlier_imports:
        print(
            f"already imported on {record.imported_at:%Y-%m-%d %H:%M} by {safe(record.operator)} "
            f"({_orders(record.order_count)}) as {safe(record.filename)}",
            file=out,
        )
    for warning in preview.warnings:
        print(f"note: {safe(str(warning))}", file=out)
    print_problems(preview.problems, out)


def print_problems(
    problems: tuple[ImportProblem, ...] | list[ImportProblem],
    out: TextIO,
    nothing: str = "nothing was imported",
) -> None:
    """Every problem on its own line (the first 200), customer text shown literally.

    ``nothing`` says what was not done (``nothing was imported``, ``nothing was recorded``).
    """
    if not problems:
        return
    print(f"{len(problems):,} problem{'s' if len(problems) != 1 else ''}; {nothing}:", file=out)
    for problem in problems[:MAX_PROBLEMS_PRINTED]:
        print(f"  {safe(str(problem))}", file=out)
    if len(problems) > MAX_PROBLEMS_PRINTED:
        print(f"  ... and {len(problems) - MAX_PROBLEMS_PRINTED:,} more (see the error report)", file=out)


def write_report(
    source: Path,
    parsed: OrderFile | ShipFile,
    problems: tuple[ImportProblem, ...],
    out: Path | None,
    ctx: CommandContext,
) -> None:
    """Write the error report when the file could be read as a sheet; say where."""
    from oms_core.spreadsheets.error_report import write_error_report

    if not parsed.sheet:
        print("no error report: the file itself could not be read", file=ctx.stderr)
        return
    try:
        written = write_error_report(source, parsed, problems, out)
    except (OmsError, OSError) as exc:
        print(f"the error report could not be written: {exc}", file=ctx.stderr)
        return
    print(f"error report: {written}", file=ctx.stderr)


def _purchaser(application: bootstrap.Application, text: str) -> int:
    """The purchaser's id from a customer number (``C000123``, ``123``) or an email."""
    customers = application.services.customers
    wanted = text.strip()
    if "@" in wanted:
        found = [c for c in customers.search(wanted, limit=20) if c.email.lower() == wanted.lower()]
        if not found:
            raise Refused(f"no customer with the email {wanted!r}")
        if len(found) > 1:
            numbers = ", ".join(c.number for c in found)
            raise Refused(f"several customers have the email {wanted!r} ({numbers}); give the number")
        return found[0].id
    try:
        return customers.get_by_number(wanted).id
    except NotFound:
        raise Refused(f"no customer {wanted!r} (give a customer number or an email)") from None


def _payment(imports: ImportService, purchaser: int, text: str) -> PaymentChoice:
    method, _, detail = text.strip().partition(":")
    method = method.strip().lower().replace("-", "_")
    try:
        if method in ("card", "new_card"):
            return imports.choose_payment(purchaser, "card", card=_typed_card())
        if method == "card_on_file":
            return imports.choose_payment(purchaser, method, last4=detail.strip() or None)
        if method == "check":
            return imports.choose_payment(purchaser, method, check_number=detail)
        if method in ("on_account", "cash"):
            return imports.choose_payment(purchaser, method)
    except ValidationError as exc:
        raise Refused(str(exc)) from None
    raise Refused(
        f"unknown payment {text!r}: use card-on-file, card-on-file:LAST4, check:NUMBER, on-account, cash "
        "or new-card"
    )


def _typed_card() -> CardEntry:
    """A new card typed at the terminal, hidden as it is typed. Refused without a terminal."""
    if not interactive():
        raise Refused(
            "a new card can only be typed at a terminal; use card-on-file, check, on-account or cash"
        )
    number = getpass.getpass("Card number (hidden): ")
    expiry = input("Expiry (MM/YY): ")
    code = getpass.getpass("Security code (hidden): ")
    try:
        month, year = parse_expiry(expiry)
    except ValidationError as exc:
        raise Refused(str(exc)) from None
    return CardEntry(card_digits(number), month, year, code.strip())


def confirm(ctx: CommandContext, question: str) -> bool:
    """Ask at the terminal; no terminal is a no."""
    if not interactive():
        return False
    print(f"{question} [y/N] ", end="", file=ctx.stderr, flush=True)
    return input().strip().lower() in ("y", "yes")


def _orders(count: int) -> str:
    return f"{count:,} order{'s' if count != 1 else ''}"


def usage(ctx: CommandContext, message: str) -> int:
    """Print the one-line usage error; the exit status for it."""
    print(f"oms: error: {message}", file=ctx.stderr)
    return EXIT_USAGE


class _Progress:
    """``placing 4,500 of 10,000`` on one line of stderr (at a terminal only)."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._live = getattr(err, "isatty", lambda: False)()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._live:
            print(f"\r{stage} {done:,} of {total:,}   ", end="", file=self._err, flush=True)

    def done(self) -> None:
        if self._live:
            print(file=self._err)
