"""The system clock adapter."""

from __future__ import annotations

from datetime import UTC, datetime

from oms_core.ports import Clock


class SystemClock(Clock):
    """The machine's time, in UTC."""

    def now(self) -> datetime:
        """Now, timezone-aware UTC."""
        return datetime.now(UTC)
