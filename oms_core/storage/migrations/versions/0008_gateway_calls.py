"""Gateway calls: every request to the payment gateway, recorded before it is sent.

Placing authorises with no transaction open: the pending call recorded with the stock it holds is
what lets a crash between the steps be reconciled (repeat with the same key, then complete or void).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms_core.storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str) -> sa.Column:
    return sa.Column(name, oms_core.storage.types.UtcDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "gateway_calls",
        sa.Column("id", ID, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("base_key", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("batch_key", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=30), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("holds_json", sa.Text(), nullable=False),
        sa.Column("draft_version", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_calls")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_gateway_calls_idempotency_key")),
    )
    op.create_index(op.f("ix_gateway_calls_base_key"), "gateway_calls", ["base_key"], unique=False)
    op.create_index(op.f("ix_gateway_calls_order_id"), "gateway_calls", ["order_id"], unique=False)
    op.create_index("ix_gateway_calls_status", "gateway_calls", ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("gateway_calls")
