"""After the sale: orders are released to the warehouse and shipped in one or more shipments.

``processing`` becomes ``released`` (handed to the warehouse); part-shipped and delivered are new
states. Releases and shipments get tables of their own, so the orders table is not rewritten.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms_core.storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, oms_core.storage.types.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "order_releases",
        sa.Column("order_id", ID, nullable=False),
        _when("released_at"),
        sa.Column("released_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_releases_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_releases")),
    )
    op.create_index(
        "ix_order_releases_released_at", "order_releases", ["released_at", "order_id"], unique=False
    )
    op.create_table(
        "shipments",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=60), nullable=False),
        sa.Column("tracking_number", sa.String(length=60), nullable=False),
        _when("shipped_at"),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        _when("delivered_at", nullable=True),
        sa.Column("capture", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_table(
        "shipment_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("shipment_id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    op.create_index(op.f("ix_shipment_lines_shipment_id"), "shipment_lines", ["shipment_id"], unique=False)
    op.execute("UPDATE orders SET status = 'released' WHERE status = 'processing'")


def downgrade() -> None:
    op.execute("UPDATE orders SET status = 'processing' WHERE status IN ('released', 'part_shipped')")
    op.execute("UPDATE orders SET status = 'shipped' WHERE status = 'delivered'")
    op.drop_table("shipment_lines")
    op.drop_table("shipments")
    op.drop_table("order_releases")
