"""The clock adapters: the system clock, and a clock stopped at one moment."""

from __future__ import annotations

from datetime import UTC, datetime

from oms_core.ports import Clock


class SystemClock(Clock):
    """The machine's time, in UTC."""

    def now(self) -> datetime:
        """Now, timezone-aware UTC."""
        return datetime.now(UTC)


class StoppedClock(Clock):
    """A clock that always says the same moment: what a seeded demo's records are stamped with."""

    def __init__(self, at: datetime) -> None:
        # A naive moment is taken as UTC, as every time oms keeps is.
        self._at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """The moment the clock was stopped at, timezone-aware."""
        return self._at
