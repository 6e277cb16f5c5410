"""Batch member pages: a batch's members in the order added, all or in one status, by index.

The result listing after a run reads a batch's members a page at a time after the last one shown
(keyset paging on the member id). These indexes make each page an index range read that stops
after the page, whether or not the planner's statistics know the members are there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_batch_members_batch_id_id": ["batch_id", "id"],
    "ix_batch_members_batch_status_id": ["batch_id", "status", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "batch_members", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="batch_members")
