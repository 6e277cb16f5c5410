"""The audit trail: who did what to which order, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One recorded action. ``detail`` is plain text and never holds card data."""

    order_id: int | None
    operator: str
    action: str
    detail: str
    at: datetime
    customer_id: int | None = None
