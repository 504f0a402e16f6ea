"""Monitoring use cases: the collector loop, rule evaluation and alert persistence, Alertmanager ingestion,
and the read side (alerts, fleet summary, latest metrics, time series).

The collector runs one composite command per host through the Executor port. Each host is its own task:
a slow or dead host never delays another. A failing host is retried with exponential backoff. In
scale-out mode a `CollectorLock` lets exactly one process collect.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog

from chatops_commander.domain.errors import Conflict, NotFound
from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.domain.monitoring.alertmanager import ExternalAlert
from chatops_commander.domain.monitoring.alerts import Alert, AlertSource, decide
from chatops_commander.domain.monitoring.collection import collection_plan, parse_collection
from chatops_commander.domain.monitoring.notify import EventKind
from chatops_commander.domain.monitoring.rules import Observation, Rule, Severity, evaluate
from chatops_commander.domain.monitoring.samples import CpuTimes, Sample, cpu_percent
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.servers import Server, ServerStatus
from chatops_commander.services import access, audit, servers
from chatops_commander.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.ports_execution import Executor
from chatops_commander.services.ports_monitoring import (
    AlertQuery,
    CollectorLock,
    Fetched,
    HostMetricsSource,
    MetricsSink,
)
from chatops_commander.services.principal import Principal

log = structlog.get_logger("chatops.monitoring")

AlertListener = Callable[[Alert, EventKind, str | None], None]
"""Told about every opened / changed / resolved alert (the notifier, the dashboard's event fan-out)."""


def status_of(result: RunResult | Fetched, parsed_anything: bool) -> ServerStatus:
    if result.outcome is HostOutcome.OK:
        return ServerStatus.ONLINE if parsed_anything else ServerStatus.ERROR
    if result.outcome in (HostOutcome.UNREACHABLE, HostOutcome.TIMED_OUT):
        return ServerStatus.OFFLINE
    return ServerStatus.ERROR


class ExecutorSource:
    """The default source: one composite command per host through the Executor port (SSH or local)."""

    name = "ssh"

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    async def fetch(self, server: Server, *, timeout_s: float) -> Fetched:
        result = await self.executor.run(server, collection_plan(server.services, timeout_s=timeout_s))
        if not result.ok:
            return Fetched(result.outcome, None, result.message or result.outcome.value)
        return Fetched(HostOutcome.OK, parse_collection(result.stdout, server.services))

    async def close(self) -> None:
        """The executor belongs to the fan-out; it is closed there."""


@dataclass
class _HostState:
    next_due: float = 0.0  # clock seconds
    failures: int = 0
    last_cpu: CpuTimes | None = None
    pending: dict[str, datetime] = field(default_factory=dict)
    running: asyncio.Task[Observation] | None = None


@dataclass(frozen=True)
class CollectorConfig:
    interval_s: float = 30.0
    intervals: Mapping[str, float] = field(default_factory=dict)  # per server name
    timeout_s: float = 20.0
    backoff_base_s: float = 5.0
    backoff_max_s: float = 300.0
    concurrency: int = 100
    refresh_servers_s: float = 30.0
    compact_every_s: float = 600.0
    raw_keep_s: float = 24 * 3600.0
    rollup_keep_s: float = 30 * 86400.0
    lock_retry_s: float = 5.0  # a standby process tries to take the collector lock this often
    source: str = "ssh"  # the default metrics source ("ssh" | "prometheus")
    sources: Mapping[str, str] = field(default_factory=dict)  # per server name


class Collector:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        executor: Executor,
        rules: Sequence[Rule],
        *,
        clock: Clock,
        config: CollectorConfig | None = None,
        lock: CollectorLock | None = None,
        metrics: MetricsSink | None = None,
        listeners: Sequence[AlertListener] = (),
        sources: Mapping[str, HostMetricsSource] | None = None,
        housekeeping: Sequence[tuple[float, Callable[[], Awaitable[object]]]] = (),
    ) -> None:
        self.uow, self.executor, self.clock = uow, executor, clock
        self.sources: dict[str, HostMetricsSource] = {"ssh": ExecutorSource(executor), **(sources or {})}
        self.housekeeping = list(housekeeping)  # (every seconds, job): run by the lock holder only
        self.rules = tuple(rules)
        self._rules_by_id = {r.id: r for r in self.rules}
        self.config = config or CollectorConfig()
        self.lock, self.metrics = lock, metrics
        self.listeners = list(listeners)
        self._hosts: dict[UUID, _HostState] = {}
        self._sem = asyncio.Semaphore(self.config.concurrency)
        self.failures = 0
        self.leader = False  # True while this collector holds the lock (or has none) and collects

    # ---- one host ----------------------------------------------------------------------------------------

    def _interval(self, server: Server) -> float:
        return float(self.config.intervals.get(server.name, self.config.interval_s))

    def source_for(self, server: Server) -> HostMetricsSource:
        name = self.config.sources.get(server.name, self.config.source)
        return self.sources.get(name) or self.sources["ssh"]

    def _state(self, server: Server) -> _HostState:
        assert server.id is not None
        return self._hosts.setdefault(server.id, _HostState())

    async def collect(self, server: Server) -> Observation:
        """Collect one host now: run, parse, store the sample and status, evaluate rules, apply alerts."""
        assert server.id is not None
        state = self._state(server)
        started = time.monotonic()
        due = state.next_due
        async with self._sem:
            try:
                result = await self.source_for(server).fetch(server, timeout_s=self.config.timeout_s)
            except Exception as exc:  # a source bug is this host's error, never the loop's
                result = Fetched(HostOutcome.ERROR, None, f"{type(exc).__name__}: {exc}")
        now = self.clock.now()
        metrics = result.metrics if result.outcome is HostOutcome.OK else None
        parsed_anything = metrics is not None and len(metrics.missing) < 6
        status = status_of(result, parsed_anything)
        if metrics is not None:
            metrics = dataclasses.replace(metrics, cpu_percent=cpu_percent(state.last_cpu, metrics.cpu))
            state.last_cpu = metrics.cpu or state.last_cpu
        problem = "" if result.outcome is HostOutcome.OK else (result.message or result.outcome.value)
        obs = Observation(server.name, reachable=status is ServerStatus.ONLINE, metrics=metrics,
                          problem=problem)
        findings, judged = evaluate(self.rules, obs, server.tags)
        events: list[tuple[Alert, EventKind]] = []
        async with self.uow() as uow:
            await uow.servers.set_status(server.id, status, now)
            if status is ServerStatus.ONLINE and metrics is not None:
                await uow.samples.add(Sample(server_id=server.id, collected_at=now, metrics=metrics))
            open_alerts = await uow.alerts.open_for_server(server.id)
            decision = decide(str(server.id), findings, judged, open_alerts, state.pending, self._rules_by_id, now)
            for fp, finding in decision.open:
                created = await uow.alerts.add(Alert(
                    type=finding.rule_id, severity=finding.severity, message=finding.message,
                    message_fr=finding.message_fr, fingerprint=fp, server_id=server.id, created_at=now,
                    value=finding.value, labels={"server": server.name, "key": finding.key}))
                events.append((created, EventKind.FIRING))
            for change in decision.change:
                f = change.finding
                await uow.alerts.change(change.alert_id, severity=f.severity, message=f.message,
                                        message_fr=f.message_fr, value=f.value, at=now)
                changed = await uow.alerts.get(change.alert_id)
                if changed is not None:
                    events.append((changed, EventKind.FIRING))
            for alert_id in decision.resolve:
                if await uow.alerts.resolve(alert_id, at=now, by="auto"):
                    resolved = await uow.alerts.get(alert_id)
                    if resolved is not None:
                        events.append((resolved, EventKind.RESOLVED))
            await uow.commit()
        state.pending = decision.pending
        if status is ServerStatus.ONLINE:
            state.failures = 0
            delay = self._interval(server)
        else:
            state.failures += 1
            self.failures += 1
            delay = min(self.config.backoff_max_s, self.config.backoff_base_s * 2 ** (state.failures - 1))
        clock_s = now.timestamp()
        state.next_due = clock_s + delay
        if self.metrics is not None:
            lag = max(0.0, clock_s - due) if due else 0.0
            self.metrics.collection(server.name, status.value, time.monotonic() - started, lag)
        if status is not ServerStatus.ONLINE:
            log.info("collect_failed", server=server.name, outcome=result.outcome.value, retry_in_s=delay)
        for alert, kind in events:
            for listener in self.listeners:
                try:
                    listener(alert, kind, server.name)
                except Exception as exc:  # a listener bug must not stop collection
                    log.error("alert_listener_failed", error=f"{type(exc).__name__}: {exc}")
        return obs

    # ---- many hosts --------------------------------------------------------------------------------------

    async def collect_all(self, servers: Sequence[Server] | None = None) -> dict[str, Observation]:
        """Collect every (given) server now, concurrently; for tests, the CLI and the benchmark."""
        if servers is None:
            async with self.uow() as uow:
                servers = await uow.servers.list()
        results = await asyncio.gather(*(self.collect(s) for s in servers), return_exceptions=True)
        out: dict[str, Observation] = {}
        for server, res in zip(servers, results, strict=True):
            if isinstance(res, BaseException):
                log.error("collect_crashed", server=server.name, error=f"{type(res).__name__}: {res}")
                continue
            out[server.name] = res
        return out

    def tick(self, servers: Sequence[Server]) -> list[asyncio.Task[Observation]]:
        """Start a task for every due server not already being collected; return the started tasks."""
        now_s = self.clock.now().timestamp()
        started: list[asyncio.Task[Observation]] = []
        for server in servers:
            state = self._state(server)
            if state.running is not None and not state.running.done():
                continue
            if state.next_due <= now_s:
                state.next_due = max(state.next_due, now_s)  # lag is measured from here
                state.running = asyncio.create_task(self._guarded(server), name=f"collect:{server.name}")
                started.append(state.running)
        return started

    async def _guarded(self, server: Server) -> Observation:
        try:
            return await self.collect(server)
        except Exception as exc:  # a bug or a database hiccup: log, back off, keep going
            state = self._state(server)
            state.failures += 1
            self.failures += 1
            state.next_due = self.clock.now().timestamp() + min(
                self.config.backoff_max_s, self.config.backoff_base_s * 2 ** (state.failures - 1))
            log.error("collect_crashed", server=server.name, error=f"{type(exc).__name__}: {exc}")
            return Observation(server.name, reachable=False, problem=str(exc))

    async def run(self, stop: asyncio.Event, *, resolution_s: float = 1.0) -> None:
        """The loop: hold the lock (when there is one), refresh the server list, start due hosts, compact."""
        servers: list[Server] = []
        refreshed = compacted = -1e18
        chores = [-1e18] * len(self.housekeeping)
        try:
            while not stop.is_set():
                if self.lock is not None and not await self._holds_lock():
                    self.leader = False
                    await _wait(stop, self.config.lock_retry_s)  # another process collects
                    continue
                if not self.leader:
                    self.leader = True
                    refreshed = -1e18  # a new leader starts from the current server list
                    log.info("collector_leader", lock=type(self.lock).__name__ if self.lock else None)
                mono = time.monotonic()
                if mono - refreshed >= self.config.refresh_servers_s:
                    with contextlib.suppress(Exception):
                        async with self.uow() as uow:
                            servers = await uow.servers.list()
                        live = {s.id for s in servers}
                        for gone in set(self._hosts) - live:
                            self._hosts.pop(gone, None)
                    refreshed = mono
                self.tick(servers)
                if mono - compacted >= self.config.compact_every_s:
                    compacted = mono
                    await self.compact()
                for i, (every_s, job) in enumerate(self.housekeeping):
                    if mono - chores[i] >= every_s:
                        chores[i] = mono
                        try:
                            await job()
                        except Exception as exc:
                            log.error("housekeeping_failed", error=f"{type(exc).__name__}: {exc}")
                await _wait(stop, resolution_s)
        finally:
            self.leader = False
            tasks = [s.running for s in self._hosts.values() if s.running is not None and not s.running.done()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.lock is not None:
                with contextlib.suppress(Exception):
                    await self.lock.release()

    async def _holds_lock(self) -> bool:
        assert self.lock is not None
        try:
            return await self.lock.held() or await self.lock.acquire()
        except Exception as exc:  # the lock's backend is down: not the leader, try again later
            log.warning("collector_lock_failed", error=f"{type(exc).__name__}: {exc}")
            return False

    async def compact(self) -> tuple[int, int]:
        try:
            async with self.uow() as uow:
                counts = await uow.samples.compact(self.clock.now(), raw_keep_s=self.config.raw_keep_s,
                                                   rollup_keep_s=self.config.rollup_keep_s)
                await uow.commit()
                return counts
        except Exception as exc:
            log.error("compact_failed", error=f"{type(exc).__name__}: {exc}")
            return 0, 0


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


# ---- Alertmanager ingestion ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IngestReport:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    unmatched_instances: tuple[str, ...] = ()
    events: tuple[tuple[Alert, EventKind], ...] = ()


async def ingest_alertmanager(uow_factory: UnitOfWorkFactory, alerts: Sequence[ExternalAlert],
                              now: datetime) -> IngestReport:
    """Firing alerts open (or update) ours, deduplicated by fingerprint; resolved ones resolve them."""
    opened = updated = resolved = 0
    unmatched: list[str] = []
    events: list[tuple[Alert, EventKind]] = []
    async with uow_factory() as uow:
        servers = await uow.servers.list()
        by_host: dict[str, Server] = {}
        for s in servers:
            for key in (s.name, s.hostname, s.ip_address):
                by_host.setdefault(key.lower(), s)
        for ext in alerts:
            host = ext.instance_host
            server = by_host.get(host) if host else None
            if host and server is None and host not in unmatched:
                unmatched.append(host)
            fp = ext.our_fingerprint
            existing = await uow.alerts.open_by_fingerprint(fp)
            message, message_fr = ext.messages()
            if ext.status == "resolved":
                if existing is not None and existing.id is not None:
                    at = ext.ends_at if ext.ends_at and ext.ends_at.year > 1 else now
                    if await uow.alerts.resolve(existing.id, at=at, by="alertmanager"):
                        resolved += 1
                        done = await uow.alerts.get(existing.id)
                        if done:
                            events.append((done, EventKind.RESOLVED))
                continue
            if existing is not None and existing.id is not None:
                if existing.severity is not ext.severity or existing.message != message:
                    await uow.alerts.change(existing.id, severity=ext.severity, message=message,
                                            message_fr=message_fr, value=None, at=now)
                    updated += 1
                continue
            created = await uow.alerts.add(Alert(
                type=ext.name[:50], severity=ext.severity, message=message, message_fr=message_fr, fingerprint=fp,
                server_id=server.id if server else None, source=AlertSource.ALERTMANAGER,
                created_at=ext.starts_at if ext.starts_at and ext.starts_at.year > 1 else now,
                labels=dict(ext.labels)))
            opened += 1
            events.append((created, EventKind.FIRING))
        await uow.commit()
    return IngestReport(opened, updated, resolved, tuple(unmatched), tuple(events))


# ---- read side and manual resolution ---------------------------------------------------------------------

async def visible_alerts(uow: UnitOfWork, principal: Principal, q: AlertQuery) -> AlertQuery:
    """`q` narrowed to the servers `principal` may read (admins: unchanged)."""
    return q.seen_by(await servers.readable_server_ids(uow, principal))


async def list_alerts(uow_factory: UnitOfWorkFactory, principal: Principal, q: AlertQuery) -> tuple[list[Alert], int]:
    """Alerts (viewer+); a non-admin sees those of the servers they may read, and those tied to no server."""
    await access.require(uow_factory, principal, Role.VIEWER, action="alerts.list")
    async with uow_factory() as uow:
        return await uow.alerts.query(await visible_alerts(uow, principal, q))


async def resolve_alert(uow_factory: UnitOfWorkFactory, principal: Principal, alert_id: UUID, *,
                        now: datetime) -> Alert:
    """Resolve an open alert by hand (operator or admin); audited as ALERT_RESOLVED with the alert's facts."""
    await access.require(uow_factory, principal, Role.OPERATOR, action="alerts.resolve", target=str(alert_id))
    async with uow_factory() as uow:
        alert = await uow.alerts.get(alert_id)
        if alert is None:
            raise NotFound(f"No alert {alert_id}. List them with `chatops alerts list`.",
                           message_fr=f"Aucune alerte {alert_id}. Listez-les avec `chatops alerts list`.")
        if alert.resolved:
            raise Conflict(f"Alert {alert_id} is already resolved.",
                           message_fr=f"L'alerte {alert_id} est déjà résolue.")
        await uow.alerts.resolve(alert_id, at=now, by=principal.actor)
        await audit.record(uow, principal, AuditAction.ALERT_RESOLVED, target=str(alert_id),
                           details={"type": alert.type, "severity": alert.severity.value,
                                    "server_id": str(alert.server_id) if alert.server_id else None,
                                    "opened_at": alert.created_at.isoformat() if alert.created_at else None})
        await uow.commit()
        done = await uow.alerts.get(alert_id)
        assert done is not None
        return done


async def find_alert(uow_factory: UnitOfWorkFactory, prefix: str) -> Alert:
    """An alert by full id or by a unique id prefix (CLI convenience)."""
    try:
        async with uow_factory() as uow:
            found = await uow.alerts.get(UUID(prefix))
        if found:
            return found
    except ValueError:
        pass
    async with uow_factory() as uow:
        items, _ = await uow.alerts.query(AlertQuery(resolved=None, limit=10_000))
    matches = [a for a in items if a.id and str(a.id).startswith(prefix.lower())]
    if len(matches) != 1:
        raise NotFound(f"No single alert matches {prefix!r}.",
                       message_fr=f"Aucune alerte unique ne correspond à {prefix!r}.")
    return matches[0]


def sample_view(sample: Sample | None) -> dict[str, Any] | None:
    if sample is None:
        return None
    m = sample.metrics
    return {
        "collected_at": sample.collected_at.isoformat(), "resolution": sample.resolution,
        "load": None if m.load is None else {"1m": m.load.one, "5m": m.load.five, "15m": m.load.fifteen},
        "cores": m.cores, "cpu_percent": m.cpu_percent,
        "memory": None if m.memory is None else {
            "total_kb": m.memory.total_kb, "used_kb": m.memory.used_kb, "percent": m.memory.percent,
            "swap_total_kb": m.memory.swap_total_kb, "swap_used_kb": m.memory.swap_used_kb,
            "swap_percent": m.memory.swap_percent},
        "disks": [{"mount": d.mount, "filesystem": d.filesystem, "total_kb": d.total_kb, "used_kb": d.used_kb,
                   "available_kb": d.available_kb, "percent": d.percent} for d in m.disks],
        "uptime_s": m.uptime_s,
        "services": {k: v.value for k, v in m.services.items()},
        "missing": list(m.missing),
    }


async def fleet_summary(uow_factory: UnitOfWorkFactory, principal: Principal) -> dict[str, Any]:
    """Servers, their latest figures and open alerts (viewer+), limited to what `principal` may read."""
    await access.require(uow_factory, principal, Role.VIEWER, action="monitoring.summary")
    async with uow_factory() as uow:
        readable = await servers.readable_server_ids(uow, principal)
        registry = [s for s in await uow.servers.list() if readable is None or s.id in readable]
        latest = await uow.samples.latest_all()
        open_alerts, _ = await uow.alerts.query(AlertQuery(resolved=False, limit=10_000).seen_by(readable))
        counts = await uow.alerts.open_counts() if readable is None else {v.value: 0 for v in Severity}
    if readable is not None:
        for a in open_alerts:
            counts[a.severity.value] = counts.get(a.severity.value, 0) + 1
    per_server: dict[UUID | None, dict[str, int]] = {}
    for a in open_alerts:
        bucket = per_server.setdefault(a.server_id, {})
        bucket[a.severity.value] = bucket.get(a.severity.value, 0) + 1
    statuses: dict[str, int] = {s.value: 0 for s in ServerStatus}
    rows = []
    for s in registry:
        statuses[s.status.value] += 1
        sample = latest.get(s.id) if s.id else None
        m = sample.metrics if sample else None
        rows.append({
            "id": str(s.id), "name": s.name, "status": s.status.value,
            "last_check": s.last_check.isoformat() if s.last_check else None,
            "load1": m.load.one if m and m.load else None, "cpu_percent": m.cpu_percent if m else None,
            "memory_percent": m.memory.percent if m and m.memory else None,
            "disk_max_percent": sample.disk_max_percent if sample else None,
            "open_alerts": per_server.get(s.id, {}),
            "services": {k: v.value for k, v in m.services.items()} if m else {},
        })
    return {"servers": len(registry), "status": statuses, "open_alerts": counts, "items": rows}


async def latest_metrics(uow_factory: UnitOfWorkFactory, server_id: UUID) -> dict[str, Any]:
    async with uow_factory() as uow:
        server = await uow.servers.get(server_id)
        if server is None:
            raise NotFound(f"No server {server_id}.", message_fr=f"Aucun serveur {server_id}.")
        sample = await uow.samples.latest(server_id)
    return {"server": server.name, "status": server.status.value,
            "last_check": server.last_check.isoformat() if server.last_check else None, "sample": sample_view(sample)}


async def metric_series(uow_factory: UnitOfWorkFactory, server_id: UUID, start: datetime, end: datetime,
                        *, limit: int = 5000) -> list[dict[str, Any]]:
    async with uow_factory() as uow:
        if await uow.servers.get(server_id) is None:
            raise NotFound(f"No server {server_id}.", message_fr=f"Aucun serveur {server_id}.")
        samples = await uow.samples.series(server_id, start, end, limit=limit)
    return [v for v in (sample_view(s) for s in samples) if v is not None]


def default_range(now: datetime, hours: float = 1.0) -> tuple[datetime, datetime]:
    return now - timedelta(hours=hours), now
