"""First-name search reads its index in (first, last, number) order.

Customer search ranks first-name matches by first name, then last name, then number, and pages
through them; with this index that is an index-order read that stops after a page, where a
first-name-only index made a common first name ("ann") sort thousands of rows per keystroke.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_customers_first_key", table_name="customers")
    op.create_index("ix_customers_first_key", "customers", ["first_key", "last_key", "number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customers_first_key", table_name="customers")
    op.create_index("ix_customers_first_key", "customers", ["first_key"], unique=False)
