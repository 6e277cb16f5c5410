"""Customers found by ZIP code and by city and state: ``customers.postal_key`` and ``place_key``.

"What's your zip?" is how operators tell two Smiths apart. The keys hold the ZIP and the city and
state of the customer's home address (the default ship-to, else the first address saved: the one
the customer list shows), filled in here for every existing customer and kept by the repository
whenever an address is saved or deleted. Each has an index that reads one place in name order.

The SQL below is ``domain.customer_search.postal_key`` and ``place_key`` written for both
backends (SQLite's ``lower`` folds ASCII letters only, so a city with an accented capital gets its
Unicode key when its address is next saved).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms_core.storage.types import key_string

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = "lower(replace(trim(a.zip), ' ', ''))"
_POSTAL = (
    f"CASE WHEN length({_CODE}) = 10 AND substr({_CODE}, 6, 1) = '-' "
    f"THEN substr({_CODE}, 1, 5) ELSE {_CODE} END"
)


def _word(column: str) -> str:
    return f"lower(replace(replace(trim(a.{column}), '.', ''), ',', ''))"


_PLACE = f"CASE WHEN {_word('city')} = '' THEN '' ELSE {_word('city')} || ' ' || {_word('state')} END"


def _home(expression: str) -> str:
    """The expression over the customer's home address: the default ship-to, else the first."""
    return (
        f"coalesce((SELECT {expression} FROM addresses a WHERE a.customer_id = customers.id "  # noqa: S608
        "ORDER BY a.is_default_shipping DESC, a.id LIMIT 1), '')"
    )


def upgrade() -> None:
    # Plain ADD COLUMN (see 0009: a batch rebuild of customers fails its foreign keys on SQLite).
    op.add_column("customers", sa.Column("postal_key", key_string(20), nullable=False, server_default=""))
    op.add_column("customers", sa.Column("place_key", key_string(160), nullable=False, server_default=""))
    op.execute(f"UPDATE customers SET postal_key = {_home(_POSTAL)}, place_key = {_home(_PLACE)}")  # noqa: S608
    for name, key in (("ix_customers_postal_name", "postal_key"), ("ix_customers_place_name", "place_key")):
        op.create_index(name, "customers", [key, "last_key", "first_key", "number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customers_place_name", table_name="customers")
    op.drop_index("ix_customers_postal_name", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("place_key")
        batch.drop_column("postal_key")
