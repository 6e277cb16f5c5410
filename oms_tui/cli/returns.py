"""``oms returns list|add|refund|credit``: the office's returns, refunds and store credit."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oms_core.domain.returns import RefundRequest
    from oms_core.read_models import ReturnView
    from oms_tui.cli.context import CommandContext

_METHODS = ("card", "check", "credit", "none")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``returns`` with ``list``, ``add``, ``refund`` and ``credit``."""
    parser = subparsers.add_parser(
        "returns",
        help="list returns; record a return and its refund; refund one later; a customer's store credit",
        description="A return (RMA) takes back some shipped units of an order, each restocked or "
        "written off, with a reason code; its refund goes to the order's card (through the gateway), "
        "by check, or as store credit for the customer's next order. A refund above [orders] "
        "refund_limit needs a supervisor.",
    )
    actions = parser.add_subparsers(dest="returns_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="returns, newest first, with their refunds", description="One block per return."
    )
    listing.add_argument("--since", type=_day, metavar="DATE", help="recorded on or after DATE (UTC)")
    listing.add_argument("--order", metavar="ORDER", help="only this order's returns")
    listing.add_argument("--limit", type=int, default=100, metavar="N", help="at most N (default 100)")
    listing.add_argument(
        "--before",
        metavar="RMA",
        help="only those recorded before this return (the next page of a long list)",
    )
    listing.set_defaults(handler=list_command)

    add = actions.add_parser(
        "add",
        help="record a return of an order and refund it",
        description='Items as "SKU QTY [r|w], ..." (r: back into stock, the default; w: written off). '
        "The refund defaults to the returned goods' price and tax; --amount lowers it.",
    )
    add.add_argument("order", metavar="ORDER", help="the order number")
    add.add_argument("--items", required=True, help='"SKU QTY [r|w], SKU QTY [r|w]"')
    add.add_argument(
        "--reason", required=True, help="damaged, wrong_item, not_as_described, changed_mind, ..."
    )
    add.add_argument("--note", default="", help="what the customer said")
    _refund_arguments(add, default="none")
    add.set_defaults(handler=add_command)

    refund = actions.add_parser(
        "refund", help="refund (more of) a return", description="After a failed card refund, or later."
    )
    refund.add_argument("rma", metavar="RMA", help="the return's number (RMA-12 or 12)")
    _refund_arguments(refund, default=None)
    refund.set_defaults(handler=refund_command)

    credit = actions.add_parser(
        "credit", help="a customer's store credit and its latest movements", description="Newest first."
    )
    credit.add_argument("customer", metavar="CUSTOMER", help="the customer number (C000123)")
    credit.set_defaults(handler=credit_command)


def _refund_arguments(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--refund",
        choices=_METHODS,
        default=default,
        required=default is None,
        help="card (to the order's card), check, credit (store credit) or none (refund later)",
    )
    parser.add_argument("--amount", help="less than the default (the returned goods' price and tax)")
    parser.add_argument("--shipping", action="store_true", help="give back the order's shipping too")
    parser.add_argument("--check-number", default="", help="the check's number (--refund check)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-28") from None


def _request(args: argparse.Namespace) -> RefundRequest | None:
    """The refund the arguments ask for, or ``None``."""
    from oms_core.domain.money import parse_money
    from oms_core.domain.returns import RefundMethod, RefundRequest

    if args.refund == "none":
        return None
    method = {"card": RefundMethod.CARD, "check": RefundMethod.CHECK}.get(
        args.refund, RefundMethod.STORE_CREDIT
    )
    amount = parse_money(args.amount) if args.amount else None
    return RefundRequest(method, amount, args.shipping, args.check_number)


def list_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print each return with its goods and refunds."""
    from oms_core.read_models import TimePosition

    since = datetime.combine(args.since, time(), tzinfo=UTC) if args.since else None
    application = ctx.open_application()
    try:
        returns = application.services.returns
        page = max(1, min(args.limit, 500))
        if args.order:
            order = application.services.orders.get_by_number(args.order)
            found = returns.for_order(order.id)[::-1]
        else:
            before = TimePosition.after(returns.get(_rma_id(args.before))) if args.before else None
            found = returns.recent(since, page, before)
    finally:
        application.close()
    for item in found:
        _print(item, ctx)
    if not found:
        print("no returns", file=ctx.stdout)
    elif not args.order and len(found) == page:  # a full page: older ones may follow (keyset)
        print(f"older returns: add --before {found[-1].rma}", file=ctx.stderr)
    return 0


def _rma_id(typed: str) -> int:
    """The id of a return typed as ``RMA-12`` or ``12``."""
    from oms_core.domain.errors import ValidationError

    text = typed.strip().upper().removeprefix("RMA-")
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(f"{typed!r} is not a return number (RMA-12)", field="rma")
    return int(text)


def add_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Record the return (and its refund); print it."""
    from oms_core.domain.returns import parse_items

    items = parse_items(args.items)
    refund = _request(args)
    application = ctx.open_application()
    try:
        order = application.services.orders.get_by_number(args.order)
        item = application.services.returns.record(order.id, items, args.reason, args.note, refund)
    finally:
        application.close()
    _print(item, ctx)
    return 1 if any(r.failed for r in item.refunds) else 0


def refund_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Refund the return; print it."""
    from oms_core.domain.errors import ValidationError

    return_id = _rma_id(args.rma)
    refund = _request(args)
    if refund is None:
        raise ValidationError("say how to refund: --refund card, check or credit", field="refund")
    application = ctx.open_application()
    try:
        item = application.services.returns.refund(return_id, refund)
    finally:
        application.close()
    _print(item, ctx)
    return 1 if item.refunds and item.refunds[-1].failed else 0


def credit_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print the balance, then the movements."""
    application = ctx.open_application()
    try:
        customer = application.services.customers.get_by_number(args.customer)
        credit = application.services.returns.store_credit(customer.id)
    finally:
        application.close()
    print(f"{customer.number} {customer.name}: store credit {credit.balance}", file=ctx.stdout)
    for amount, what, at, by in credit.entries:
        print(f"  {at:%Y-%m-%d %H:%M}  {by:<10}  {amount:>10}  {what}", file=ctx.stdout)
    return 0


def _print(item: ReturnView, ctx: CommandContext) -> None:
    from oms_core.domain.text import strip_control

    note = f"  note: {strip_control(item.note)}" if item.note else ""
    head = f"{item.created_at:%Y-%m-%d %H:%M}  {item.rma}  order {item.order_number}  {item.reason}"
    print(f"{head}  by {item.created_by}{note}", file=ctx.stdout)
    for sku, quantity, how in item.lines:
        print(f"    {quantity} x {sku} ({how})", file=ctx.stdout)
    for refund in item.refunds:
        print(f"    refund {refund.detail}", file=ctx.stdout)
    if item.exchange_order_id is not None:
        print(f"    exchange: replacement draft {item.exchange_order_id}", file=ctx.stdout)
