"""Monitoring at run time: the in-process alert event hub, the in-process collector lock, a measured fan-out,
and the repeat-notification chore.

`AlertHub` is the hook for the dashboard and the chat: every opened, changed (`firing`) or resolved alert —
from the collector or from Alertmanager — is handed to each subscriber, an `async def callback(event)`.
Subscribers run as background tasks: a slow or failing one never delays collection or another subscriber.

    unsubscribe = container.alert_hub.subscribe(my_callback)   # e.g. push a WebSocket event
    ...
    unsubscribe()
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import structlog

from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import EventKind
from chatops_commander.services.monitoring import Collector
from chatops_commander.services.notifications import Notifier
from chatops_commander.services.ports import UnitOfWorkFactory

log = structlog.get_logger("chatops.monitoring")


@dataclass(frozen=True)
class AlertEvent:
    alert: Alert
    kind: EventKind  # firing (opened or changed), resolved, repeat
    server_name: str | None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """A JSON-ready event for a WebSocket or an SSE stream."""
        a = self.alert
        return {"type": "alert", "event": self.kind.value, "server": self.server_name, "alert": {
            "id": str(a.id) if a.id else None, "rule": a.type, "severity": a.severity.value,
            "message": a.localized(lang), "messages": {"en": a.message, "fr": a.message_fr},
            "source": a.source.value, "resolved": a.resolved,
            "created_at": a.created_at.isoformat() if a.created_at else None,
            "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None}}


AlertCallback = Callable[[AlertEvent], Awaitable[object]]


class AlertHub:
    """An in-process list of async subscribers told about every alert event (a collector `AlertListener`)."""

    def __init__(self) -> None:
        self.subscribers: list[AlertCallback] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def subscribe(self, callback: AlertCallback) -> Callable[[], None]:
        self.subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self.subscribers:
                self.subscribers.remove(callback)

        return unsubscribe

    def __call__(self, alert: Alert, kind: EventKind, server_name: str | None) -> None:
        event = AlertEvent(alert, kind, server_name)
        for callback in list(self.subscribers):
            task = asyncio.get_running_loop().create_task(self._run(callback, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _run(callback: AlertCallback, event: AlertEvent) -> None:
        try:
            await callback(event)
        except Exception as exc:  # a subscriber bug must not reach the collector
            log.error("alert_subscriber_failed", error=f"{type(exc).__name__}: {exc}")

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def notifier_subscriber(notifier: Notifier) -> AlertCallback:
    async def send(event: AlertEvent) -> None:
        await notifier.notify(event.alert, event.kind, event.server_name)

    return send


def repeat_chore(uow: UnitOfWorkFactory, notifier: Notifier) -> Callable[[], Awaitable[int]]:
    """The collector's housekeeping job re-sending alerts still open after the quiet repeat interval."""

    async def repeat() -> int:
        async with uow() as u:
            names = {s.id: s.name for s in await u.servers.list() if s.id is not None}
        return await notifier.repeat_open(names)

    return repeat


class InProcessLock:
    """Embedded mode (SQLite): one collector per process and database; a second one in the same process waits."""

    _holders: ClassVar[dict[str, object]] = {}

    def __init__(self, key: str) -> None:
        self.key = key

    async def acquire(self) -> bool:
        holder = self._holders.setdefault(self.key, self)
        return holder is self

    async def held(self) -> bool:
        return self._holders.get(self.key) is self

    async def release(self) -> None:
        if self._holders.get(self.key) is self:
            del self._holders[self.key]


class MonitorLoop:
    """The collector's background task and what it owns (lock, notifier, extra sources): start, then stop."""

    def __init__(self, collector: Collector, *, notifier: Notifier | None = None, hub: AlertHub | None = None,
                 closers: Sequence[Callable[[], Awaitable[object]]] = ()) -> None:
        self.collector, self.notifier, self.hub, self.closers = collector, notifier, hub, list(closers)
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self, *, resolution_s: float = 1.0) -> None:
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(
                self.collector.run(self.stop_event, resolution_s=resolution_s), name="chatops-collector")

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def stop(self) -> None:
        self.stop_event.set()
        if self.task is not None:
            try:
                await self.task
            except Exception as exc:
                log.error("collector_stopped_with_error", error=f"{type(exc).__name__}: {exc}")
            self.task = None
        if self.hub is not None:
            await self.hub.drain()
        if self.notifier is not None:
            await self.notifier.close()
        for close in self.closers:
            try:
                await close()
            except Exception as exc:
                log.warning("monitoring_close_failed", error=f"{type(exc).__name__}: {exc}")
