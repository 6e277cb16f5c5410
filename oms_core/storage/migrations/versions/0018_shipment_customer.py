"""A customer's story reads their shipments by index: ``shipments.customer_id`` (copied from the
order, filled in for the shipments already stored) and ``ix_shipments_customer_story``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch mode): SQLite upgrades with shipments in them.
    op.add_column("shipments", sa.Column("customer_id", ID, nullable=True))
    op.execute(
        "UPDATE shipments SET customer_id = "
        "(SELECT orders.customer_id FROM orders WHERE orders.id = shipments.order_id)"
    )
    op.create_index(
        "ix_shipments_customer_story", "shipments", ["customer_id", "shipped_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_customer_story", table_name="shipments")
    op.drop_column("shipments", "customer_id")
