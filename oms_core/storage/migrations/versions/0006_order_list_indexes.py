"""Order-list indexes: every Orders filter is one index range read in the list's order.

The Orders screen lists orders newest first (``placed_at DESC, id DESC``) under a filter on status,
customer, operator or source, with or without a date range. The list reads each status it shows
as its own arm; with an index per filter that leads with the status (and the filter's column) and
ends in ``(placed_at, id)``, each arm is an index-order read that stops after a page. Without
them, a filter matching most of a million orders sorted every match first (1.7 s per change).
The customer index grows ``status, placed_at, id`` and replaces the customer-only one; the
placed-time index is no longer read by anything and goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_orders_status_placed": ["status", "placed_at", "id"],
    "ix_orders_customer_placed": ["customer_id", "status", "placed_at", "id"],
    "ix_orders_status_operator_placed": ["status", "operator", "placed_at", "id"],
    "ix_orders_status_source_placed": ["status", "source", "placed_at", "id"],
}


def upgrade() -> None:
    op.drop_index("ix_orders_placed_at", table_name="orders")
    op.drop_index("ix_orders_customer_id", table_name="orders")
    for name, columns in INDEXES.items():
        op.create_index(name, "orders", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="orders")
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"], unique=False)
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"], unique=False)
