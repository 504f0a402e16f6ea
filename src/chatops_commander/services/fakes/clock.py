"""A clock that moves only when told (confirmation and approval expiry without waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """`clock.advance(minutes=61)`."""
        self.moment += timedelta(**delta)
        return self.moment
