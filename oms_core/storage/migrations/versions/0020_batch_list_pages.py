"""Batch list pages: club shipments and bulk orders newest first, a page at a time, by index.

`oms club list`, `oms bulk list` and their screens read a kind's batches newest first (created
time, then id) a page at a time after the last one shown (keyset paging). This index makes each
page a range read that stops after the page instead of a sort of every batch of the kind.

Revision ID: 0020
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_batches_kind_created", "batches", ["kind", "created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_batches_kind_created", table_name="batches")
