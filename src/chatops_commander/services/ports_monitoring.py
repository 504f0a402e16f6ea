"""Ports of monitoring: sample, alert and delivery storage, notification channels, the collector lock, metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from chatops_commander.domain.execution import HostOutcome
from chatops_commander.domain.monitoring.alerts import Alert, AlertSource
from chatops_commander.domain.monitoring.notify import Delivery
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.monitoring.samples import HostMetrics, Sample
from chatops_commander.domain.servers import Server


@dataclass(frozen=True)
class AlertQuery:
    resolved: bool | None = False  # None: both
    severity: Severity | None = None
    server_id: UUID | None = None
    source: AlertSource | None = None
    visible_to: frozenset[UUID] | None = None  # a non-admin's readable servers (+ alerts tied to no server)
    offset: int = 0
    limit: int = 100

    def seen_by(self, readable: set[UUID] | None) -> AlertQuery:
        """This query limited to `readable` servers (None, an admin's answer: unchanged)."""
        return self if readable is None else replace(self, visible_to=frozenset(readable))


class SampleRepository(Protocol):
    async def add(self, sample: Sample) -> None: ...
    async def latest(self, server_id: UUID) -> Sample | None: ...
    async def latest_all(self) -> dict[UUID, Sample]: ...
    async def series(self, server_id: UUID, start: datetime, end: datetime, *, limit: int = 5000) -> list[Sample]: ...
    async def compact(self, now: datetime, *, raw_keep_s: float, rollup_keep_s: float) -> tuple[int, int]: ...


class AlertRepository(Protocol):
    async def add(self, alert: Alert) -> Alert: ...
    async def get(self, alert_id: UUID) -> Alert | None: ...
    async def open_for_server(self, server_id: UUID) -> list[Alert]: ...
    async def open_by_fingerprint(self, fingerprint: str) -> Alert | None: ...
    async def query(self, q: AlertQuery) -> tuple[list[Alert], int]: ...
    async def change(self, alert_id: UUID, *, severity: Severity, message: str, message_fr: str,
                     value: float | None, at: datetime) -> None: ...
    async def resolve(self, alert_id: UUID, *, at: datetime, by: str) -> bool: ...
    async def open_counts(self) -> dict[str, int]: ...
    async def mark_notified(self, alert_id: UUID, *, at: datetime, severity: Severity) -> None: ...
    async def last_notified(self, alert_id: UUID) -> tuple[datetime | None, str | None]: ...


class DeliveryRepository(Protocol):
    async def add(self, delivery: Delivery) -> None: ...
    async def recent(self, *, limit: int = 100) -> list[Delivery]: ...


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None


class NotificationChannel(Protocol):
    name: str
    severities: tuple[str, ...]

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        """One attempt; never raises for delivery trouble."""
        ...

    async def close(self) -> None: ...


class CollectorLock(Protocol):
    """Exactly one collecting process in scale-out mode.

    `acquire()` tries once (never waits); `held()` says whether this process still holds it (and renews it
    where the lock expires); `release()` gives it up. A standby process calls `acquire()` again periodically.
    """

    async def acquire(self) -> bool: ...
    async def held(self) -> bool: ...
    async def release(self) -> None: ...


@dataclass(frozen=True)
class Fetched:
    """What a metrics source got for one host: an outcome, the metrics when it could read any, why not."""

    outcome: HostOutcome
    metrics: HostMetrics | None = None
    message: str = ""


class HostMetricsSource(Protocol):
    """Where one host's figures come from: the composite command over SSH, or a Prometheus server."""

    name: str

    async def fetch(self, server: Server, *, timeout_s: float) -> Fetched: ...
    async def close(self) -> None: ...


class MetricsSink(Protocol):
    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None: ...
    def command(self, action: str, outcome: str) -> None: ...
    def fanout(self, seconds: float) -> None: ...
    def collection(self, server: str, outcome: str, seconds: float, lag_s: float) -> None: ...
    def set_open_alerts(self, counts: Mapping[str, int]) -> None: ...
    def render(self) -> tuple[bytes, str]: ...
