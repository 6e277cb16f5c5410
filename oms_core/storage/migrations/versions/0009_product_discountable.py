"""Products that are not discountable: gift cards and deposits keep their list price for every
customer type (a club's discount took 10 % off a $100 gift card).

Adds ``products.discountable`` (true for every existing product) and marks the products whose SKU
starts with ``GIFT-CARD`` (the gift cards oms's catalogue and demo data use) as not discountable.
An office whose gift cards or deposits have other SKUs marks them itself.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GIFT_CARDS = "GIFT-CARD%"


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: batch mode would rebuild the table on SQLite, and dropping
    # the old products table fails its foreign keys once orders and price lists point at it.
    op.add_column(
        "products", sa.Column("discountable", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    products = sa.table("products", sa.column("sku", sa.String()), sa.column("discountable", sa.Boolean()))
    op.execute(products.update().where(products.c.sku.like(GIFT_CARDS)).values(discountable=False))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("discountable")
