"""``oms payments reconcile|history``: finish payments a killed oms left half-way; an order's calls."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``payments`` with ``reconcile`` and ``history``."""
    parser = subparsers.add_parser(
        "payments",
        help="finish interrupted payments; show an order's payment history",
        description="Card payments are recorded before the gateway is asked, so a payment that a "
        "killed oms left half-way can be finished: repeated with its own idempotency key, then the "
        "order completed or the authorisation voided and the stock given back.",
    )
    actions = parser.add_subparsers(dest="payments_command", metavar="ACTION", required=True)
    reconcile = actions.add_parser(
        "reconcile",
        help="finish every payment a dead process left half-way (safe to repeat; cron-friendly)",
        description="Repeats each pending or unanswered gateway request with its own idempotency key, "
        "then completes the order or voids the authorisation. Requests a live oms is still waiting "
        "on are left alone. Exit 0 when nothing is left for later, 1 when some are.",
    )
    reconcile.set_defaults(handler=reconcile_command)
    history = actions.add_parser(
        "history", help="every gateway call made for an order", description="One line per gateway call."
    )
    history.add_argument("order", metavar="ORDER", help="the order number")
    history.set_defaults(handler=history_command)


def reconcile_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print what was finished: ``payments: 1 completed, 0 voided, 0 declined, 0 left for later``."""
    application = ctx.open_application()
    try:
        report = application.services.payments.reconcile()
    finally:
        application.close()
    print(f"payments: {report.summary()}", file=ctx.stdout)
    return 1 if report.waiting else 0


def history_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print one line per gateway call of the order, oldest first."""
    application = ctx.open_application()
    try:
        order = application.services.orders.get_by_number(args.order)
        calls = application.services.payments.history(order.id)
    finally:
        application.close()
    for call in calls:
        when = call.created_at.strftime("%Y-%m-%d %H:%M:%S") if call.created_at else ""
        print(f"{when}  {call.operator:<10}  {call.describe()}", file=ctx.stdout)
    if not calls:
        print(f"order {args.order}: no card payments", file=ctx.stdout)
    return 0
