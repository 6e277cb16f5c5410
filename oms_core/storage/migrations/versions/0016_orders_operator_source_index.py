"""An order-list index for an operator with a source.

An Orders filter on an operator and a source (``fax`` orders by ``bchen``) was led by the
operator's index and checked the source row by row: for a source the operator seldom or never
uses, each status arm walked all of that operator's orders in it (a quarter of a million in a
year of a four-operator office) to fill a page. Led by the source instead, a rarely seen operator
would walk a whole source. ``(status, operator, source, placed_at, id)`` serves both at once. The
operator-only index stays: for an operator alone this one is not in list order (each source is
sorted apart), and a page would sort all of the operator's orders.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_status_operator_source_placed",
        "orders",
        ["status", "operator", "source", "placed_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_orders_status_operator_source_placed", table_name="orders")
