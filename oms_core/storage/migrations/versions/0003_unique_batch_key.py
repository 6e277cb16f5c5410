"""An order's batch key is unique: the database itself refuses to place a batch order twice.

Bulk orders, club shipments and imports give each order a key (``club:<shipment>:<customer>``) and
skip keys already placed; runs of one batch take turns on the batch's row. The unique index makes
"never ordered twice" hold even if a future code path forgets to take that turn.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util.exc import CommandError

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    orders = sa.table("orders", sa.column("batch_key", sa.String))
    repeated = (
        op.get_bind()
        .execute(
            sa.select(orders.c.batch_key, sa.func.count())
            .where(orders.c.batch_key.is_not(None))
            .group_by(orders.c.batch_key)
            .having(sa.func.count() > 1)
            .limit(3)
        )
        .all()
    )
    if repeated:
        keys = ", ".join(f"{key} ({count} orders)" for key, count in repeated)
        raise CommandError(
            f"cannot make batch keys unique: some were placed more than once: {keys}. "
            "Cancel the extra orders and clear their batch_key, then upgrade again."
        )
    op.drop_index("ix_orders_batch_key", table_name="orders")
    op.create_index("ix_orders_batch_key", "orders", ["batch_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_orders_batch_key", table_name="orders")
    op.create_index("ix_orders_batch_key", "orders", ["batch_key"], unique=False)
