"""``oms change ORDER``: change a placed order that has not gone to the warehouse.

The same service as the Order screen's ``e``: a change draft is started, edited and applied, so the
order is re-priced by checkout's rules, the stock moves both ways and the card follows the total.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.orders import parse_quantity
from oms_core.domain.products import normalize_sku

if TYPE_CHECKING:
    from oms_core.read_models import CartView
    from oms_core.services.registry import Services
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``change``."""
    parser = subparsers.add_parser(
        "change",
        help="change a placed order before it is released",
        description="Change a placed order that has not been released to the warehouse: quantities "
        "(SKU=0 removes the line, a new SKU adds one), the shipping method, the ship-to (an entry of "
        "the customer's address book). The order is re-priced, the stock moves and a card is "
        "authorised again for a new total; a decline leaves the order as it was.",
    )
    parser.add_argument("order", metavar="ORDER", help="the order number")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SKU=QTY", help="a line's new quantity (repeatable)"
    )
    parser.add_argument("--shipping", metavar="CODE", help="the shipping method's code")
    parser.add_argument("--ship-to", type=int, metavar="ADDRESS_ID", help="an address-book entry's id")
    parser.set_defaults(handler=change_command)


def _quantities(items: list[str]) -> list[tuple[str, int]]:
    wanted = []
    for item in items:
        sku, sep, qty = item.partition("=")
        if not sep or not sku.strip():
            raise ValidationError(f"{item!r}: write SKU=QTY", field="--set")
        quantity = 0 if qty.strip() == "0" else parse_quantity(qty, field_name=f"--set {sku.strip()}")
        wanted.append((normalize_sku(sku), quantity))
    return wanted


def change_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Start the change, make each edit, apply it; print what changed (on stdout)."""
    wanted = _quantities(args.set)
    if not (wanted or args.shipping or args.ship_to is not None):
        raise ValidationError("nothing to change: give --set, --shipping or --ship-to", field="ORDER")
    application = ctx.open_application()
    try:
        services = application.services
        order = services.orders.get_by_number(args.order)
        under_way = services.changes.under_way(order.id)
        if under_way is not None:
            raise ValidationError(
                f"order {order.number} is being changed in another window (draft {under_way})", field="ORDER"
            )
        draft = services.changes.start(order.id)
        try:
            draft = _edit(services, draft, wanted, args.shipping, args.ship_to)
            result = services.changes.apply(draft.id, draft.version)
        except OmsError:
            services.cart.discard(draft.id, services.cart.get(draft.id).version)  # nothing half-way
            raise
    finally:
        application.close()
    print(f"order {result.order.number} changed", file=ctx.stderr)
    for change in result.changes:
        print(change, file=ctx.stdout)
    if result.warning:
        print(f"oms: warning: {result.warning}", file=ctx.stderr)
    return 0


def _edit(
    services: Services,
    draft: CartView,
    wanted: list[tuple[str, int]],
    shipping: str | None,
    ship_to: int | None,
) -> CartView:
    cart = services.cart
    for sku, quantity in wanted:
        line = next((ln for ln in draft.lines if ln.sku == sku), None)
        if line is None and quantity:
            draft = cart.add_line(draft.id, sku, quantity, version=draft.version)
        elif line is None:
            raise ValidationError(f"{sku} is not on the order", field="--set")
        else:
            draft = cart.set_quantity(draft.id, line.id, quantity, version=draft.version)
    if shipping:
        draft = cart.set_shipping_method(draft.id, shipping, version=draft.version)
    if ship_to is not None:
        draft = cart.set_ship_to(draft.id, address_id=ship_to, version=draft.version)
    return draft
