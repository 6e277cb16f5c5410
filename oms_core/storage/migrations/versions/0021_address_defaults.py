"""Address defaults by index: a customer's default ship-to and bill-to, and its first address, found
without reading its whole address book.

Every cart edit, checkout and address save reads a customer's default ship-to and bill-to (else its
first address): its ordering profile, its summary, its home address's search keys. With only an
index on the customer, a customer with 500 addresses had all 500 rows read to find the one or two
marked default. ``ix_addresses_defaults`` holds only the rows that are a default (a partial index,
on both backends), and ``ix_addresses_customer_first`` (customer, id) replaces the customer index
so the first address is one probe (PostgreSQL found the least id by reading every entry).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Built as tables.py builds it, so each dialect writes it as its queries write the same condition
# (SQLite ``is_default_shipping = 1 OR ...``), which is how SQLite sees that a query implies it.
_IS_A_DEFAULT = sa.or_(
    sa.column("is_default_shipping", sa.Boolean), sa.column("is_default_billing", sa.Boolean)
)


def upgrade() -> None:
    op.create_index("ix_addresses_customer_first", "addresses", ["customer_id", "id"], unique=False)
    op.drop_index("ix_addresses_customer_id", table_name="addresses")
    op.create_index(
        "ix_addresses_defaults",
        "addresses",
        ["customer_id"],
        unique=False,
        sqlite_where=_IS_A_DEFAULT,
        postgresql_where=_IS_A_DEFAULT,
    )


def downgrade() -> None:
    op.drop_index("ix_addresses_defaults", table_name="addresses")
    op.create_index("ix_addresses_customer_id", "addresses", ["customer_id"], unique=False)
    op.drop_index("ix_addresses_customer_first", table_name="addresses")
