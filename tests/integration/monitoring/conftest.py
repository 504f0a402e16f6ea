from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fleet.fixture import fleet, fleet_executor

__all__ = ["FakeClock", "fleet", "fleet_executor"]


class FakeClock:
    """An injected clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current
