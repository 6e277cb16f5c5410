"""Order holds: the hold's columns on ``orders`` and the Orders screen's "on hold" index.

A held order carries its reason, note, who placed it and when; ``held`` is the flag the Orders
screen filters on. ``ix_orders_status_held_placed`` leads with the status and the flag and ends in
``(placed_at, id)``, like the other filters' indexes (0006), so each status arm of the list is an
index-order read of its held orders that stops after a page.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms_core.storage.types import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (see 0009: a batch rebuild of orders fails its foreign keys on SQLite).
    op.add_column("orders", sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("orders", sa.Column("hold_reason", sa.String(30), nullable=True))
    op.add_column("orders", sa.Column("hold_note", sa.String(200), nullable=False, server_default=""))
    op.add_column("orders", sa.Column("hold_by", sa.String(64), nullable=True))
    op.add_column("orders", sa.Column("hold_at", UtcDateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_orders_status_held_placed", "orders", ["status", "held", "placed_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_orders_status_held_placed", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        for column in ("hold_at", "hold_by", "hold_note", "hold_reason", "held"):
            batch.drop_column(column)
