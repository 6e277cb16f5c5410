"""The operator index of the order list carries the source too.

An Orders filter on an operator and a source (``fax`` orders by ``bchen``) was led by the
operator's index and checked the source row by row: for a source the operator seldom or never
uses, each status arm walked all of that operator's orders in it (a quarter of a million in a
year of a four-operator office) to fill a page. Led by the source instead, a rarely seen operator
would walk a whole source. ``(status, operator, source, placed_at, id)`` serves both at once, and
the operator alone as before (its leading columns), so it replaces the operator-only index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_status_operator_source_placed",
        "orders",
        ["status", "operator", "source", "placed_at", "id"],
        unique=False,
    )
    op.drop_index("ix_orders_status_operator_placed", table_name="orders")


def downgrade() -> None:
    op.create_index(
        "ix_orders_status_operator_placed", "orders", ["status", "operator", "placed_at", "id"], unique=False
    )
    op.drop_index("ix_orders_status_operator_source_placed", table_name="orders")
