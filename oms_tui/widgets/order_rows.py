"""Columns and cells for lists of orders and drafts (Orders, Customer), and how times are shown."""

from __future__ import annotations

from datetime import datetime

from oms_core.domain.money import format_money
from oms_core.read_models import OrderSummary
from oms_tui.widgets.paged_table import ColumnSpec

ORDER_COLUMNS = (
    ColumnSpec("number", "Order", width=7, justify="right"),
    ColumnSpec("placed", "Placed", width=16),
    ColumnSpec("status", "Status", width=10),
    ColumnSpec("customer", "Customer", weight=3, minimum=10),
    ColumnSpec("lines", "Lines", width=5, justify="right"),
    ColumnSpec("total", "Total", width=10, justify="right"),
    ColumnSpec("operator", "By", weight=1, minimum=5),
)

CUSTOMER_ORDER_COLUMNS = (
    ColumnSpec("number", "Order", width=7, justify="right"),
    ColumnSpec("placed", "Placed", width=16),
    ColumnSpec("status", "Status", width=10),
    ColumnSpec("lines", "Lines", width=5, justify="right"),
    ColumnSpec("total", "Total", width=10, justify="right"),
    ColumnSpec("operator", "By", weight=1, minimum=5),
)

DRAFT_COLUMNS = (
    ColumnSpec("draft", "Draft", width=7, justify="right"),
    ColumnSpec("updated", "Last edit", width=16),
    ColumnSpec("lines", "Lines", width=5, justify="right"),
    ColumnSpec("total", "Total", width=10, justify="right"),
    ColumnSpec("operator", "By", weight=1, minimum=5),
)


def when(moment: datetime | None) -> str:
    """A timestamp in the office's local time: ``2026-11-26 15:00``."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def status_label(status: str) -> str:
    """``on_hold`` as ``On hold``."""
    return status.replace("_", " ").capitalize()


def order_cells(order: OrderSummary, with_customer: bool = True) -> tuple[str, ...]:
    """A placed order's row (``with_customer`` False for a customer's own list)."""
    customer = f"{order.customer_number} {order.customer_name}".strip()
    cells = (
        str(order.number or ""),
        when(order.placed_at),
        status_label(order.status),
        *((customer,) if with_customer else ()),
        str(order.line_count),
        format_money(order.total),
        order.operator,
    )
    return cells


def draft_cells(draft: OrderSummary) -> tuple[str, ...]:
    """An open draft's row."""
    return (
        str(draft.id),
        when(draft.updated_at),
        str(draft.line_count),
        format_money(draft.total),
        draft.operator,
    )
