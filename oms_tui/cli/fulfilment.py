"""``oms release ORDER...|--all``: hand placed orders to the warehouse (then ``oms export picklist``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core.domain.errors import ValidationError
from oms_tui.cli.documents import parse_order_numbers

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


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


def release_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Release, then say how many (on stderr) and which (on stdout)."""
    if bool(args.orders) == bool(args.all):
        raise ValidationError("give order numbers or --all (not both)", field="ORDER")
    numbers = parse_order_numbers(args.orders) if args.orders else []
    application = ctx.open_application()
    try:
        service = application.services.fulfilment
        if args.all:
            released = service.release_all_placed()
        else:
            orders = [application.services.orders.get_by_number(number) for number in numbers]
            released = [service.release(order.id).number or 0 for order in orders]
    finally:
        application.close()
    print(f"released {len(released):,} order{'s' if len(released) != 1 else ''}", file=ctx.stderr)
    for number in released:
        print(number, file=ctx.stdout)
    return 0
