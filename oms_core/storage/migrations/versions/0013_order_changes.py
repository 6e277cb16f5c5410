"""Changes to placed orders: ``orders.changes_order_id`` marks a change draft, with its index; and
the customer's story: orders and mail by customer, newest first.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch mode, no foreign key): SQLite upgrades with orders in them.
    op.add_column("orders", sa.Column("changes_order_id", ID, nullable=True))
    op.create_index("ix_orders_changes_order_id", "orders", ["changes_order_id"], unique=False)
    op.create_index("ix_orders_customer_story", "orders", ["customer_id", "placed_at", "id"], unique=False)
    op.create_index("ix_outbox_customer_story", "outbox", ["customer_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_customer_story", table_name="outbox")
    op.drop_index("ix_orders_customer_story", table_name="orders")
    op.drop_index("ix_orders_changes_order_id", table_name="orders")
    op.drop_column("orders", "changes_order_id")
