"""My drafts by index: one operator's open drafts, most recently edited first, one index range read.

My drafts (F5) lists the operator's own drafts, newest edit first, a page at a time. With only
``ix_orders_status_updated_at`` PostgreSQL walked every operator's drafts in edit order and threw
away the others' (an operator with few drafts read all of them, 50,000 at a busy office's size),
and SQLite read the operator's drafts by another index and sorted them all before cutting a page.
``ix_orders_status_operator_updated`` (status, operator, updated_at, id) is the list's filter and
order, so a page is a read that stops after the page on both backends.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_status_operator_updated",
        "orders",
        ["status", "operator", "updated_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_orders_status_operator_updated", table_name="orders")
