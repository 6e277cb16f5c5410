"""A draft's checkout state: the "send confirmation" box and where the draft was left.

``send_confirmation`` is the checkout's tick box (placing mails a confirmation only when it is
set); existing orders keep today's behaviour (set). ``draft_stage`` is ``cart`` or ``checkout``:
a resumed draft opens where the operator left it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (see 0009: a batch rebuild of orders fails its foreign keys on SQLite).
    op.add_column(
        "orders", sa.Column("send_confirmation", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("orders", sa.Column("draft_stage", sa.String(20), nullable=False, server_default="cart"))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        for column in ("draft_stage", "send_confirmation"):
            batch.drop_column(column)
