"""Changes to a placed order before it goes to the warehouse: the rules, with no I/O.

A change is made on a *change draft*: a draft copied from the placed order (``Order.changes_order_id``)
that the operator edits with the cart and checkout like any draft. Applying it copies the draft's
lines, ship-to and shipping back onto the order. Lines already on the order keep the price the
customer was quoted (:func:`kept_prices`); a new line takes today's price; tax and shipping are
worked out again by the same rules as checkout (``domain/repricing.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from oms_core.domain.errors import InvalidState
from oms_core.domain.orders import Order, OrderLine


def require_changeable(order: Order) -> None:
    """Refuse to change an order the warehouse has, or that shipped or was cancelled.

    A held order may change: a hold for an address check is exactly when the address changes.

    Raises:
        InvalidState: one line naming the order and its status.
    """
    if order.is_draft:
        raise InvalidState("a draft is changed in its cart")
    if not order.status.can_change:
        raise InvalidState(f"order {order.number} is {order.status.label}; it can no longer be changed")


def change_draft(order: Order, operator: str, now: object) -> Order:
    """The draft a change starts from: a copy of the placed ``order`` (lines without ids)."""
    return Order(
        id=None,
        source=order.source,
        customer_id=order.customer_id,
        operator=operator,
        lines=[_copy_line(line) for line in order.lines],
        bill_to=order.bill_to,
        ship_to=order.ship_to,
        ship_to_address_id=order.ship_to_address_id,
        shipping_method=order.shipping_method,
        payment_choice=order.payment_choice,
        gift_message=order.gift_message,
        notes=order.notes,
        created_at=now,  # type: ignore[arg-type]
        updated_at=now,  # type: ignore[arg-type]
        changes_order_id=order.id,
    )


def _copy_line(line: OrderLine) -> OrderLine:
    return OrderLine(
        None,
        line.product_id,
        line.sku,
        line.name,
        line.quantity,
        line.unit_price,
        line.taxable,
        line.weight_lb,
        line.price_override,
        line.override_reason,
        line.line_tax,
    )


def kept_prices(order: Order) -> dict[int, Decimal]:
    """The unit price of each product already on the placed order (a change keeps it)."""
    return {line.product_id: line.unit_price for line in order.lines}


def quantities(order: Order) -> dict[int, int]:
    """Units per product id."""
    units: dict[int, int] = {}
    for line in order.lines:
        units[line.product_id] = units.get(line.product_id, 0) + line.quantity
    return units


def stock_moves(old: Order, new: Order) -> dict[int, int]:
    """Units per product the change takes from stock (positive) or puts back (negative)."""
    before, after = quantities(old), quantities(new)
    moves = {pid: after.get(pid, 0) - before.get(pid, 0) for pid in before.keys() | after.keys()}
    return {pid: delta for pid, delta in sorted(moves.items()) if delta}


def held_units(draft: Order, base: Order | None) -> Mapping[int, int]:
    """Units the placed order already holds, so the cart warns only of what the change adds."""
    return quantities(base) if base is not None and draft.is_change else {}


def describe_changes(old: Order, new: Order) -> list[str]:
    """What the change does, old -> new, one item each, for the audit trail and the operator."""
    changes: list[str] = []
    if _address_text(old) != _address_text(new):
        changes.append(f"ship-to: {_address_text(old)} -> {_address_text(new)}")
    if old.shipping_method != new.shipping_method:
        changes.append(f"shipping: {old.shipping_method or '-'} -> {new.shipping_method or '-'}")
    old_lines = {line.product_id: line for line in old.lines}
    new_lines = {line.product_id: line for line in new.lines}
    for product_id, line in old_lines.items():
        after = new_lines.get(product_id)
        if after is None:
            changes.append(f"{line.sku} removed (was {line.quantity})")
            continue
        if after.quantity != line.quantity:
            changes.append(f"{line.sku}: {line.quantity} -> {after.quantity}")
        if after.effective_price != line.effective_price:
            changes.append(f"{line.sku} price: {line.effective_price} -> {after.effective_price}")
    for product_id, line in new_lines.items():
        if product_id not in old_lines:
            changes.append(f"{line.sku} added ({line.quantity} at {line.effective_price})")
    if old.gift_message != new.gift_message:
        changes.append("gift message changed")
    if old.notes != new.notes:
        changes.append("notes changed")
    if old.total != new.total:
        changes.append(f"total: {old.total} -> {new.total}")
    return changes


def apply_change(order: Order, draft: Order) -> None:
    """Copy the change draft's lines, ship-to, shipping, gift message and notes onto ``order``.

    A line for a product already on the order keeps its line id (the same line, a new quantity);
    the bill-to, customer and payment are not a change's to make.
    """
    line_ids = {line.product_id: line.id for line in order.lines}
    order.lines = []
    for line in draft.lines:
        copy = _copy_line(line)
        copy.id = line_ids.pop(line.product_id, None)
        order.lines.append(copy)
    order.ship_to, order.ship_to_address_id = draft.ship_to, draft.ship_to_address_id
    order.shipping_method = draft.shipping_method
    order.shipping_charge, order.shipping_tax = draft.shipping_charge, draft.shipping_tax
    order.gift_message, order.notes = draft.gift_message, draft.notes


def _address_text(order: Order) -> str:
    return order.ship_to.one_line() if order.ship_to is not None else "-"
