"""Alert notifications: per-severity routing, retries with exponential backoff, a delivery log, a quiet repeat.

Deliveries run as background tasks (collection never waits for a slow receiver); `drain()` waits for
them (shutdown, tests). Each finished delivery — delivered or failed after its last attempt — is one
row of the delivery log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

import structlog

from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import (
    Delivery,
    DeliveryStatus,
    EventKind,
    backoff_delays,
    due_repeat,
    event_payload,
    routed,
)
from chatops_commander.services.ports import Clock, UnitOfWorkFactory
from chatops_commander.services.ports_monitoring import AlertQuery, NotificationChannel, SendResult

log = structlog.get_logger("chatops.notifications")
Sleep = Callable[[float], Awaitable[None]]


class Notifier:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        channels: Sequence[NotificationChannel],
        *,
        clock: Clock,
        attempts: int = 3,
        backoff_base_s: float = 1.0,
        repeat_s: float = 4 * 3600.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.uow, self.channels, self.clock = uow, list(channels), clock
        self.attempts, self.backoff_base_s, self.repeat_s, self.sleep = attempts, backoff_base_s, repeat_s, sleep
        self._tasks: set[asyncio.Task[Any]] = set()

    def __call__(self, alert: Alert, kind: EventKind, server_name: str | None) -> None:
        """The collector's / ingestion's listener: schedule the delivery, return at once."""
        if not self.channels:
            return
        task = asyncio.get_running_loop().create_task(self.notify(alert, kind, server_name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def notify(self, alert: Alert, kind: EventKind, server_name: str | None) -> list[Delivery]:
        now = self.clock.now()
        payload = event_payload(alert, kind, server_name, now)
        targets = [c for c in self.channels if routed(alert.severity, c.severities)]
        deliveries = await asyncio.gather(*(self._deliver(c, payload, alert.id, kind) for c in targets))
        if alert.id is not None and kind is not EventKind.RESOLVED and any(
                d.status is DeliveryStatus.DELIVERED for d in deliveries):
            async with self.uow() as uow:
                await uow.alerts.mark_notified(alert.id, at=now, severity=alert.severity)
                await uow.commit()
        return list(deliveries)

    async def _deliver(self, channel: NotificationChannel, payload: dict[str, object], alert_id: UUID | None,
                       kind: EventKind) -> Delivery:
        created = self.clock.now()
        delays = backoff_delays(self.attempts, self.backoff_base_s)
        result = SendResult(False, error="not attempted")
        attempt = 0
        for attempt in range(1, self.attempts + 1):
            try:
                result = await channel.send(payload)
            except Exception as exc:  # a channel bug is a failed attempt
                result = SendResult(False, error=f"{type(exc).__name__}: {exc}")
            if result.ok or attempt == self.attempts:
                break
            await self.sleep(delays[attempt - 1])
        delivery = Delivery(
            channel=channel.name, event=kind, alert_id=alert_id, attempts=attempt, created_at=created,
            status=DeliveryStatus.DELIVERED if result.ok else DeliveryStatus.FAILED,
            status_code=result.status_code, last_error=None if result.ok else result.error,
            finished_at=self.clock.now())
        try:
            async with self.uow() as uow:
                await uow.deliveries.add(delivery)
                await uow.commit()
        except Exception as exc:
            log.error("delivery_log_failed", channel=channel.name, error=f"{type(exc).__name__}: {exc}")
        if not result.ok:
            log.warning("delivery_failed", channel=channel.name, attempts=attempt, error=result.error)
        return delivery

    async def repeat_open(self, server_names: dict[UUID, str] | None = None) -> int:
        """Re-send open alerts whose quiet repeat interval passed; returns how many were sent."""
        now = self.clock.now()
        async with self.uow() as uow:
            items, _ = await uow.alerts.query(AlertQuery(resolved=False, limit=10_000))
            due = []
            for a in items:
                if a.id is None:
                    continue
                last, _sev = await uow.alerts.last_notified(a.id)
                if due_repeat(last, self.repeat_s, now):
                    due.append(a)
        for a in due:
            name = (server_names or {}).get(a.server_id) if a.server_id else None
            await self.notify(a, EventKind.REPEAT, name)
        return len(due)

    async def close(self) -> None:
        await self.drain()
        for c in self.channels:
            await c.close()
