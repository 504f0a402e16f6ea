"""Monitoring storage: metric samples (raw + 5-minute averages), alerts with their details, deliveries.

The seed's `alerts` table is kept as is; what it lacks (French message, labels, value, who resolved,
notification bookkeeping) lives in `alert_details`, one row per alert.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from chatops_commander.adapters.db.tables import alerts as t_alerts
from chatops_commander.adapters.db.tables import metadata
from chatops_commander.adapters.db.types import JSONType, UTCDateTime
from chatops_commander.domain.monitoring.alerts import Alert, AlertSource
from chatops_commander.domain.monitoring.notify import Delivery, DeliveryStatus, EventKind
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.monitoring.samples import (
    Disk,
    HostMetrics,
    Load,
    Memory,
    Sample,
    ServiceState,
)
from chatops_commander.services.ports_monitoring import AlertQuery

metric_samples = Table(
    "metric_samples", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("server_id", Uuid, ForeignKey("servers.id", ondelete="CASCADE"), nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("resolution", String(4), nullable=False),
    Column("samples", Integer, nullable=False, default=1),
    Column("load1", Float), Column("load5", Float), Column("load15", Float),
    Column("cores", Integer), Column("cpu_percent", Float),
    Column("mem_total_kb", BigInteger), Column("mem_used_kb", BigInteger),
    Column("swap_total_kb", BigInteger), Column("swap_used_kb", BigInteger),
    Column("mem_percent", Float), Column("disk_max_percent", Float), Column("uptime_s", Float),
    Column("disks", JSONType), Column("services", JSONType), Column("missing", JSONType),
    CheckConstraint("resolution IN ('raw', '5m')", name="resolution"),
    Index("idx_samples_server_time", "server_id", "resolution", "collected_at"),
    Index("idx_samples_time", "resolution", "collected_at"),
)

alert_details = Table(
    "alert_details", metadata,
    Column("alert_id", Uuid, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("message_fr", Text, nullable=False),
    Column("labels", JSONType),
    Column("value", Float),
    Column("resolved_by", String(255)),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_notified_at", UTCDateTime),
    Column("notified_severity", String(20)),
)
Index("idx_alerts_fingerprint", t_alerts.c.fingerprint, t_alerts.c.resolved)

notification_deliveries = Table(
    "notification_deliveries", metadata,
    Column("id", Uuid, primary_key=True, default=uuid.uuid4),
    Column("alert_id", Uuid, ForeignKey("alerts.id", ondelete="SET NULL")),
    Column("channel", String(100), nullable=False),
    Column("event", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status_code", Integer),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    CheckConstraint("status IN ('delivered', 'failed')", name="status"),
    Index("idx_deliveries_created", "created_at"),
)

ROLLUP_S = 300
_NUMERIC = ("load1", "load5", "load15", "cpu_percent", "mem_total_kb", "mem_used_kb", "swap_total_kb",
            "swap_used_kb", "mem_percent", "disk_max_percent", "uptime_s", "cores")


# ---- samples ----------------------------------------------------------------------------------------------

def _sample_values(sample: Sample) -> dict[str, Any]:
    m = sample.metrics
    return {
        "server_id": sample.server_id, "collected_at": sample.collected_at, "resolution": sample.resolution,
        "samples": 1,
        "load1": m.load.one if m.load else None, "load5": m.load.five if m.load else None,
        "load15": m.load.fifteen if m.load else None, "cores": m.cores, "cpu_percent": m.cpu_percent,
        "mem_total_kb": m.memory.total_kb if m.memory else None,
        "mem_used_kb": m.memory.used_kb if m.memory else None,
        "swap_total_kb": m.memory.swap_total_kb if m.memory else None,
        "swap_used_kb": m.memory.swap_used_kb if m.memory else None,
        "mem_percent": m.memory.percent if m.memory else None,
        "disk_max_percent": max((d.percent for d in m.disks), default=None),
        "uptime_s": m.uptime_s,
        "disks": [{"mount": d.mount, "fs": d.filesystem, "total_kb": d.total_kb, "used_kb": d.used_kb,
                   "available_kb": d.available_kb} for d in m.disks],
        "services": {k: v.value for k, v in m.services.items()},
        "missing": list(m.missing),
    }


def _sample_from_row(row: RowMapping) -> Sample:
    load = (Load(row["load1"], row["load5"] or 0.0, row["load15"] or 0.0) if row["load1"] is not None else None)
    memory = (Memory(int(row["mem_total_kb"]), int(row["mem_used_kb"] or 0), int(row["swap_total_kb"] or 0),
                     int(row["swap_used_kb"] or 0)) if row["mem_total_kb"] is not None else None)
    disks = tuple(Disk(d["mount"], d.get("fs", ""), int(d["total_kb"]), int(d["used_kb"]), int(d["available_kb"]))
                  for d in (row["disks"] or []))
    services = {k: ServiceState(v) if v in ServiceState._value2member_map_ else ServiceState.UNKNOWN
                for k, v in (row["services"] or {}).items()}
    metrics = HostMetrics(load=load, memory=memory, disks=disks, uptime_s=row["uptime_s"],
                          cores=row["cores"], cpu_percent=row["cpu_percent"], services=services,
                          missing=tuple(row["missing"] or ()))
    return Sample(server_id=row["server_id"], collected_at=row["collected_at"], metrics=metrics,
                  resolution=row["resolution"])


def _average_rows(rows: list[RowMapping], bucket: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {"server_id": rows[0]["server_id"], "collected_at": bucket, "resolution": "5m",
                           "samples": sum(int(r["samples"]) for r in rows)}
    for col in _NUMERIC:
        values = [r[col] for r in rows if r[col] is not None]
        avg = sum(values) / len(values) if values else None
        out[col] = (round(avg) if avg is not None and col in ("cores", "mem_total_kb", "mem_used_kb",
                                                             "swap_total_kb", "swap_used_kb") else avg)
    per_mount: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        for d in r["disks"] or []:
            per_mount[d["mount"]].append(d)
    out["disks"] = [{"mount": m, "fs": ds[-1].get("fs", ""),
                     **{k: round(sum(int(d[k]) for d in ds) / len(ds)) for k in ("total_kb", "used_kb",
                                                                                 "available_kb")}}
                    for m, ds in sorted(per_mount.items())]
    out["services"] = rows[-1]["services"]
    out["missing"] = rows[-1]["missing"]
    return out


def _bucket(ts: datetime) -> datetime:
    epoch = int(ts.timestamp())
    return datetime.fromtimestamp(epoch - epoch % ROLLUP_S, UTC)


class SqlSampleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, sample: Sample) -> None:
        await self._session.execute(metric_samples.insert().values(**_sample_values(sample)))

    async def latest(self, server_id: UUID) -> Sample | None:
        stmt = (select(metric_samples).where(metric_samples.c.server_id == server_id)
                .order_by(metric_samples.c.collected_at.desc()).limit(1))
        row = (await self._session.execute(stmt)).mappings().first()
        return _sample_from_row(row) if row else None

    async def latest_all(self) -> dict[UUID, Sample]:
        newest = (select(metric_samples.c.server_id, func.max(metric_samples.c.collected_at).label("at"))
                  .group_by(metric_samples.c.server_id).subquery())
        stmt = select(metric_samples).join(newest, and_(metric_samples.c.server_id == newest.c.server_id,
                                                         metric_samples.c.collected_at == newest.c.at))
        return {row["server_id"]: _sample_from_row(row) for row in (await self._session.execute(stmt)).mappings()}

    async def series(self, server_id: UUID, start: datetime, end: datetime, *, limit: int = 5000) -> list[Sample]:
        stmt = (select(metric_samples)
                .where(metric_samples.c.server_id == server_id, metric_samples.c.collected_at >= start,
                       metric_samples.c.collected_at <= end)
                .order_by(metric_samples.c.collected_at).limit(limit))
        return [_sample_from_row(r) for r in (await self._session.execute(stmt)).mappings()]

    async def compact(self, now: datetime, *, raw_keep_s: float, rollup_keep_s: float) -> tuple[int, int]:
        """Raw rows older than `raw_keep_s` become 5-minute averages; averages older than `rollup_keep_s` go.

        Returns (raw rows rolled up, rows deleted in all).
        """
        raw_cutoff = _bucket(now - timedelta(seconds=raw_keep_s))  # whole buckets only
        old = (await self._session.execute(
            select(metric_samples).where(metric_samples.c.resolution == "raw",
                                         metric_samples.c.collected_at < raw_cutoff)
            .order_by(metric_samples.c.server_id, metric_samples.c.collected_at))).mappings().all()
        groups: dict[tuple[UUID, datetime], list[RowMapping]] = defaultdict(list)
        for r in old:
            groups[(r["server_id"], _bucket(r["collected_at"]))].append(r)
        if groups:
            await self._session.execute(metric_samples.insert(),
                                        [_average_rows(rows, bucket) for (_, bucket), rows in groups.items()])
        deleted = 0
        if old:
            res = await self._session.execute(delete(metric_samples).where(
                metric_samples.c.resolution == "raw", metric_samples.c.collected_at < raw_cutoff))
            deleted += int(getattr(res, "rowcount", 0) or 0)
        res = await self._session.execute(delete(metric_samples).where(
            metric_samples.c.resolution == "5m",
            metric_samples.c.collected_at < now - timedelta(seconds=rollup_keep_s)))
        deleted += int(getattr(res, "rowcount", 0) or 0)
        return len(old), deleted


# ---- alerts -----------------------------------------------------------------------------------------------

_ALERT_COLUMNS = (t_alerts, alert_details.c.message_fr, alert_details.c.labels, alert_details.c.value,
                  alert_details.c.resolved_by, alert_details.c.updated_at)


def _alert_from_row(row: RowMapping) -> Alert:
    return Alert(
        id=row["id"], server_id=row["server_id"], type=row["type"], severity=Severity(row["severity"]),
        message=row["message"], message_fr=row["message_fr"] or row["message"], fingerprint=row["fingerprint"] or "",
        source=AlertSource(row["source"]) if row["source"] in AlertSource._value2member_map_ else AlertSource.RULES,
        resolved=bool(row["resolved"]), created_at=row["created_at"], resolved_at=row["resolved_at"],
        labels=row["labels"] or {}, value=row["value"], resolved_by=row["resolved_by"],
        updated_at=row["updated_at"],
    )


class SqlAlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _select(self) -> Any:
        return select(*_ALERT_COLUMNS).select_from(
            t_alerts.outerjoin(alert_details, alert_details.c.alert_id == t_alerts.c.id))

    async def add(self, alert: Alert) -> Alert:
        alert_id = alert.id or uuid.uuid4()
        created = alert.created_at or datetime.now(UTC)
        await self._session.execute(t_alerts.insert().values(
            id=alert_id, server_id=alert.server_id, type=alert.type[:50], severity=alert.severity.value,
            message=alert.message, source=alert.source.value, fingerprint=alert.fingerprint[:255],
            resolved=alert.resolved, created_at=created, resolved_at=alert.resolved_at))
        await self._session.execute(alert_details.insert().values(
            alert_id=alert_id, message_fr=alert.message_fr, labels=dict(alert.labels), value=alert.value,
            resolved_by=alert.resolved_by, updated_at=created))
        found = await self.get(alert_id)
        assert found is not None
        return found

    async def get(self, alert_id: UUID) -> Alert | None:
        row = (await self._session.execute(self._select().where(t_alerts.c.id == alert_id))).mappings().first()
        return _alert_from_row(row) if row else None

    async def open_for_server(self, server_id: UUID) -> list[Alert]:
        stmt = self._select().where(t_alerts.c.server_id == server_id, t_alerts.c.resolved.is_(False))
        return [_alert_from_row(r) for r in (await self._session.execute(stmt)).mappings()]

    async def open_by_fingerprint(self, fingerprint: str) -> Alert | None:
        stmt = self._select().where(t_alerts.c.fingerprint == fingerprint, t_alerts.c.resolved.is_(False))
        row = (await self._session.execute(stmt.limit(1))).mappings().first()
        return _alert_from_row(row) if row else None

    async def query(self, q: AlertQuery) -> tuple[list[Alert], int]:
        conditions: list[ColumnElement[bool]] = []
        if q.resolved is not None:
            conditions.append(t_alerts.c.resolved.is_(q.resolved))
        if q.severity is not None:
            conditions.append(t_alerts.c.severity == q.severity.value)
        if q.server_id is not None:
            conditions.append(t_alerts.c.server_id == q.server_id)
        if q.source is not None:
            conditions.append(t_alerts.c.source == q.source.value)
        if q.visible_to is not None:
            conditions.append(or_(t_alerts.c.server_id.in_(sorted(q.visible_to)), t_alerts.c.server_id.is_(None)))
        total = int((await self._session.execute(
            select(func.count()).select_from(t_alerts).where(*conditions))).scalar_one())
        stmt = (self._select().where(*conditions).order_by(t_alerts.c.created_at.desc(), t_alerts.c.id)
                .offset(q.offset).limit(q.limit))
        return [_alert_from_row(r) for r in (await self._session.execute(stmt)).mappings()], total

    async def change(self, alert_id: UUID, *, severity: Severity, message: str, message_fr: str,
                     value: float | None, at: datetime) -> None:
        await self._session.execute(update(t_alerts).where(t_alerts.c.id == alert_id)
                                    .values(severity=severity.value, message=message))
        await self._session.execute(update(alert_details).where(alert_details.c.alert_id == alert_id)
                                    .values(message_fr=message_fr, value=value, updated_at=at))

    async def resolve(self, alert_id: UUID, *, at: datetime, by: str) -> bool:
        res = await self._session.execute(update(t_alerts).where(t_alerts.c.id == alert_id,
                                                                 t_alerts.c.resolved.is_(False))
                                          .values(resolved=True, resolved_at=at))
        if not getattr(res, "rowcount", 0):
            return False
        await self._session.execute(update(alert_details).where(alert_details.c.alert_id == alert_id)
                                    .values(resolved_by=by[:255], updated_at=at))
        return True

    async def open_counts(self) -> dict[str, int]:
        stmt = (select(t_alerts.c.severity, func.count()).where(t_alerts.c.resolved.is_(False))
                .group_by(t_alerts.c.severity))
        counts = {s.value: 0 for s in Severity}
        for severity, n in (await self._session.execute(stmt)).all():
            counts[str(severity)] = int(n)
        return counts

    async def mark_notified(self, alert_id: UUID, *, at: datetime, severity: Severity) -> None:
        await self._session.execute(update(alert_details).where(alert_details.c.alert_id == alert_id)
                                    .values(last_notified_at=at, notified_severity=severity.value))

    async def last_notified(self, alert_id: UUID) -> tuple[datetime | None, str | None]:
        row = (await self._session.execute(
            select(alert_details.c.last_notified_at, alert_details.c.notified_severity)
            .where(alert_details.c.alert_id == alert_id))).first()
        return (row[0], row[1]) if row else (None, None)


# ---- deliveries -------------------------------------------------------------------------------------------

class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delivery: Delivery) -> None:
        await self._session.execute(notification_deliveries.insert().values(
            id=delivery.id or uuid.uuid4(), alert_id=delivery.alert_id, channel=delivery.channel[:100],
            event=delivery.event.value, status=delivery.status.value, attempts=delivery.attempts,
            status_code=delivery.status_code, last_error=delivery.last_error, created_at=delivery.created_at,
            finished_at=delivery.finished_at))

    async def recent(self, *, limit: int = 100) -> list[Delivery]:
        stmt = select(notification_deliveries).order_by(notification_deliveries.c.created_at.desc()).limit(limit)
        return [Delivery(id=r["id"], alert_id=r["alert_id"], channel=r["channel"], event=EventKind(r["event"]),
                         status=DeliveryStatus(r["status"]), attempts=r["attempts"], status_code=r["status_code"],
                         last_error=r["last_error"], created_at=r["created_at"], finished_at=r["finished_at"])
                for r in (await self._session.execute(stmt)).mappings()]
