"""The returns block of the Order screen (and of a customer's story): each RMA, what came back and
where it went, and each refund with how it stands. Customer and operator text is shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from oms_core.read_models import ReturnView
from oms_tui.text import plain
from oms_tui.widgets.order_rows import when


def returns_text(returns: Sequence[ReturnView], with_order: bool = False) -> Text | None:
    """A line per return (``RMA-3 damaged by alice``), an indented line of its goods, one per
    refund; ``None`` when there are none. ``with_order`` names the order (a customer's list).
    """
    if not returns:
        return None
    lines = [Text("Returns", style="bold")]
    for item in returns:
        order = f"order {item.order_number}  " if with_order else ""
        head = plain(f"{when(item.created_at)}  {order}{item.rma} {item.reason}  by {item.created_by}")
        if item.note:
            head.append_text(plain(f"  \u201c{item.note}\u201d"))
        lines.append(head)
        goods = ", ".join(f"{quantity} x {sku} ({how})" for sku, quantity, how in item.lines)
        lines.append(plain(f"    {goods}"))
        for refund in item.refunds:
            line = plain(f"    refund {refund.detail}")
            if not refund.done:
                line.stylize("bold")
            lines.append(line)
        if not item.refunds:
            lines.append(Text("    not refunded", style="bold"))
        if item.exchange_order_id is not None:
            lines.append(plain(f"    exchange: replacement order (draft {item.exchange_order_id})"))
    return Text("\n").join(lines)
