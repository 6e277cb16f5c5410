"""``oms seed``: add synthetic customers, products and orders (see :mod:`oms_core.demo`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from oms_core import bootstrap
from oms_core.demo.plan import SEED_LIMITS, SeedPlan
from oms_core.domain.operators import Role
from oms_tui.cli.numbers import bounded_int

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``seed``."""
    parser = subparsers.add_parser(
        "seed",
        help="add synthetic customers, products and orders",
        description="Add realistic synthetic data to the database (created or upgraded first): customers "
        "with US addresses, phones, emails and test cards on file; a catalogue of wines, gifts and "
        "accessories; placed orders. Adds to what is there: numbers continue, SKUs never collide. "
        "The same --seed gives the same data.",
    )
    limits = SEED_LIMITS
    parser.add_argument(
        "--customers",
        type=bounded_int(0, limits["customers"]),
        required=True,
        metavar="N",
        help=f"customers to add (at most {limits['customers']:,})",
    )
    parser.add_argument(
        "--products",
        type=bounded_int(0, limits["products"]),
        required=True,
        metavar="M",
        help=f"products to add (at most {limits['products']:,})",
    )
    parser.add_argument(
        "--orders",
        type=bounded_int(0, limits["orders"]),
        default=0,
        metavar="K",
        help=f"placed orders to add (default 0, at most {limits['orders']:,})",
    )
    parser.add_argument(
        "--seed", type=bounded_int(0, 2**63 - 1), default=1, metavar="S", help="random seed (default 1)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="add oms's tables to a database that already holds other tables (refused otherwise)",
    )
    parser.set_defaults(handler=seed_command)


def seed_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Seed and print what was added."""
    plan = SeedPlan(customers=args.customers, products=args.products, orders=args.orders, seed=args.seed)
    bootstrap.check_database_url(ctx.database_url)
    account = bootstrap.os_account()
    if bootstrap.upgrade_database(ctx.database_url, adopt=args.force, first_admin=account):
        print(bootstrap.first_admin_line(account), file=ctx.stderr)
    application = bootstrap.build(bootstrap.Config(ctx.database_url, office=ctx.config))
    try:  # made-up customers and orders in an office's database: an admin's decision
        application.services.operators.require(Role.ADMIN, "adding synthetic data")
    finally:
        application.close()
    progress = _progress(ctx)
    report = bootstrap.seed_database(ctx.database_url, plan, progress=progress, adopt=args.force)
    print(report.summary(), file=ctx.stdout)
    return 0


def _progress(ctx: CommandContext) -> Callable[[str], None] | None:
    """Progress lines on a terminal; nothing when stderr is a file or a pipe."""
    if not ctx.stderr.isatty():
        return None

    def say(line: str) -> None:
        print(f"oms: seeding {line}", file=ctx.stderr, flush=True)

    return say
