"""Alerts and monitoring read side: alerts (paginated, filterable), manual resolve, fleet summary, metrics.

Reads need viewer or above; resolving an alert needs operator or above.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from chatops_commander.domain.errors import PermissionDenied, ValidationFailed
from chatops_commander.domain.monitoring.alerts import Alert, AlertSource
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.roles import Role
from chatops_commander.entrypoints.api.deps import PrincipalDep, UowDep
from chatops_commander.entrypoints.api.problems import request_language
from chatops_commander.entrypoints.api.schemas import IsoDateTime
from chatops_commander.services import monitoring, servers
from chatops_commander.services.ports_monitoring import AlertQuery

router = APIRouter(tags=["alerts"])


class AlertRead(BaseModel):
    id: UUID
    server_id: UUID | None
    type: str
    severity: Severity
    message: str
    messages: dict[str, str]
    source: AlertSource
    fingerprint: str
    resolved: bool
    created_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    value: float | None

    @classmethod
    def of(cls, a: Alert, lang: str) -> AlertRead:
        assert a.id is not None
        return cls(id=a.id, server_id=a.server_id, type=a.type, severity=a.severity, message=a.localized(lang),
                   messages={"en": a.message, "fr": a.message_fr}, source=a.source, fingerprint=a.fingerprint,
                   resolved=a.resolved, created_at=a.created_at, resolved_at=a.resolved_at,
                   resolved_by=a.resolved_by, value=a.value)


class AlertPage(BaseModel):
    items: list[AlertRead]
    total: int
    offset: int
    limit: int


def _require(principal: Any, role: Role) -> None:
    if not principal.role.at_least(role):
        raise PermissionDenied(f"This needs the {role.value} role or above.",
                               message_fr=f"Il faut le rôle {role.value} ou supérieur.")


@router.get("/alerts", response_model=AlertPage)
async def list_alerts(
    request: Request, uow: UowDep, principal: PrincipalDep,
    status: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    severity: Severity | None = None, server_id: UUID | None = None, source: AlertSource | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AlertPage:
    _require(principal, Role.VIEWER)
    resolved = {"open": False, "resolved": True, "all": None}[status]
    items, total = await monitoring.list_alerts(uow, principal, AlertQuery(resolved=resolved, severity=severity,
                                                                server_id=server_id, source=source,
                                                                offset=offset, limit=limit))
    lang = request_language(request)
    return AlertPage(items=[AlertRead.of(a, lang) for a in items], total=total, offset=offset, limit=limit)


@router.post("/alerts/{alert_id:uuid}/resolve", response_model=AlertRead)
async def resolve_alert(alert_id: UUID, request: Request, uow: UowDep, principal: PrincipalDep) -> AlertRead:
    done = await monitoring.resolve_alert(uow, principal, alert_id, now=datetime.now(UTC))
    return AlertRead.of(done, request_language(request))


@router.get("/monitoring/summary")
async def fleet_summary(uow: UowDep, principal: PrincipalDep) -> dict[str, Any]:
    _require(principal, Role.VIEWER)
    return await monitoring.fleet_summary(uow, principal)


@router.get("/monitoring/servers/{server_id:uuid}/latest")
async def latest_metrics(server_id: UUID, uow: UowDep, principal: PrincipalDep) -> dict[str, Any]:
    _require(principal, Role.VIEWER)
    await servers.get_server(uow, principal, server_id)  # per-server read permission (404 otherwise)
    return await monitoring.latest_metrics(uow, server_id)


@router.get("/monitoring/servers/{server_id:uuid}/series")
async def metric_series(
    server_id: UUID, uow: UowDep, principal: PrincipalDep,
    start: IsoDateTime | None = None, end: IsoDateTime | None = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5000,
) -> dict[str, Any]:
    _require(principal, Role.VIEWER)
    await servers.get_server(uow, principal, server_id)  # per-server read permission (404 otherwise)
    end = end or datetime.now(UTC)
    if (start is not None and start.tzinfo is None) or end.tzinfo is None:
        raise ValidationFailed([("start/end", "give a time zone (e.g. 2026-11-23T12:00:00Z)")])
    if end - datetime.min.replace(tzinfo=UTC) < timedelta(hours=1):
        raise ValidationFailed([("end", "must be after 0001-01-01T01:00:00Z")])
    start = start or end - timedelta(hours=1)
    if start > end:  # an empty window (start = end) has no points
        raise ValidationFailed([("start", "must not be after end")])
    points = await monitoring.metric_series(uow, server_id, start, end, limit=limit)
    return {"server_id": str(server_id), "start": start.isoformat(), "end": end.isoformat(), "points": points}
