"""Customers found by the last four digits of their phone: ``customers.phone_tail`` and its index.

"The last four of your phone?" is how operators tell two customers of one name apart. The new key
holds the last four national digits of the phone (``phone_key``), filled in here for every
existing customer and kept by the repository from then on.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms_core.storage.types import key_string

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (see 0009: a batch rebuild of customers fails its foreign keys on SQLite).
    op.add_column("customers", sa.Column("phone_tail", key_string(4), nullable=False, server_default=""))
    last_four = "substr(phone_key, length(phone_key) - 3)"
    op.execute(f"UPDATE customers SET phone_tail = {last_four} WHERE length(phone_key) >= 4")  # noqa: S608
    op.create_index("ix_customers_phone_tail", "customers", ["phone_tail", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customers_phone_tail", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("phone_tail")
