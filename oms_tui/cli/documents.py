"""``oms print invoice|packing-slip ORDER... --out DIR``: a day's invoices or packing slips as PDFs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.domain.errors import ValidationError
from oms_core.domain.numbers import LARGEST_ID, whole_number

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext

KINDS = ("invoice", "packing-slip")
MAX_ORDERS = 5_000
"""A larger run is almost surely a typo in a range (``1501-15010``); split it up."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``print``."""
    parser = subparsers.add_parser(
        "print",
        help="write invoices or packing slips as PDF files",
        description="Write one PDF per order into a folder (invoice-1501.pdf, packing-slip-1501.pdf), "
        "with the office's name and address from the configuration. Orders are numbers or ranges "
        "(1501 1503 1510-1520). Nothing is written unless every order can be printed.",
    )
    parser.add_argument("kind", choices=KINDS, help="which document")
    parser.add_argument("orders", nargs="+", metavar="ORDER", help="order numbers or ranges like 1501-1520")
    parser.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="an existing folder (default: here)"
    )
    parser.set_defaults(handler=print_command)


def print_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Resolve every order, render them all, then write them; say where they went."""
    numbers = parse_order_numbers(args.orders)
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.require_database(ctx.database_url)
    written = bootstrap.print_documents(ctx.database_url, args.kind, numbers, args.out, ctx.config)
    noun = args.kind.replace("-", " ") + ("s" if len(written) != 1 else "")
    print(f"wrote {len(written):,} {noun} to {args.out}", file=ctx.stderr)
    for path in written:
        print(path, file=ctx.stdout)
    return 0


def parse_order_numbers(tokens: list[str]) -> list[int]:
    """Order numbers from ``1501``, ``#1501`` and ``1501-1520``, in the order given, each once.

    Raises:
        ValidationError: a token that is neither, a range that runs backwards, or too many orders.
    """
    numbers: dict[int, None] = {}
    for token in tokens:
        text = token.strip().lstrip("#")
        first, dash, last = text.partition("-")
        if not first.isdigit() or (dash and not last.lstrip("#").isdigit()):
            raise ValidationError(
                f"{token!r} is not an order number or a range like 1501-1520", field="ORDER"
            )
        start = whole_number(first, 1, LARGEST_ID, "ORDER")
        end = whole_number(last.lstrip("#"), 1, LARGEST_ID, "ORDER") if dash else start
        if end < start:
            raise ValidationError(f"the range {token!r} runs backwards", field="ORDER")
        if end - start + len(numbers) >= MAX_ORDERS:
            raise ValidationError(f"at most {MAX_ORDERS:,} orders at a time", field="ORDER")
        numbers.update(dict.fromkeys(range(start, end + 1)))
    return list(numbers)
