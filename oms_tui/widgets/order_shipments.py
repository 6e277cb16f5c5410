"""The shipments block of the Order screen: what left, how, with which tracking number."""

from __future__ import annotations

from rich.text import Text

from oms_core.read_models import OrderView
from oms_tui.text import plain
from oms_tui.widgets.order_rows import when


def shipments_text(order: OrderView) -> Text | None:
    """One line per shipment and an indented line of what it held; ``None`` before anything shipped."""
    if not order.shipments:
        return None
    lines = [Text("Shipments", style="bold")]
    for shipment in order.shipments:
        line = plain(f"{when(shipment.shipped_at)}  {shipment.summary}")
        if shipment.delivered_at is not None:
            line.append(f"  delivered {when(shipment.delivered_at)}")
        if shipment.capture.startswith("failed"):
            line.append("  ")
            line.append_text(plain(f"payment {shipment.capture}"))
            line.stylize("bold")
        lines.append(line)
        lines.append(plain("    " + ", ".join(f"{quantity} x {sku}" for sku, quantity in shipment.lines)))
    return Text("\n").join(lines)


def left_to_ship(order: OrderView) -> list[tuple[str, str, int]]:
    """(SKU, name, units) of every line not yet shipped in full, in the order's line order."""
    shipped: dict[str, int] = {}
    for shipment in order.shipments:
        for sku, quantity in shipment.lines:
            shipped[sku] = shipped.get(sku, 0) + quantity
    left = []
    for line in order.lines:
        taken = min(shipped.get(line.sku, 0), line.quantity)
        shipped[line.sku] = shipped.get(line.sku, 0) - taken
        if line.quantity - taken > 0:
            left.append((line.sku, line.name, line.quantity - taken))
    return left
