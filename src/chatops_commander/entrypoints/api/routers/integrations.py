"""Integrations: Prometheus Alertmanager webhook (payload version 4), authenticated by its own bearer token.

Configure Alertmanager with `webhook_configs: [{url: https://<host>/api/v1/integrations/alertmanager,
http_config: {authorization: {credentials: <CHATOPS_ALERTMANAGER_TOKEN>}}}]`.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from chatops_commander.domain.errors import AuthenticationFailed, DomainError
from chatops_commander.domain.monitoring.alertmanager import ExternalAlert
from chatops_commander.entrypoints.api.deps import ContainerDep
from chatops_commander.entrypoints.api.schemas import NO_NUL
from chatops_commander.services import monitoring

router = APIRouter(prefix="/integrations", tags=["integrations"])
Labels = dict[Annotated[str, Field(max_length=256, pattern=NO_NUL)],
              Annotated[str, Field(max_length=4096, pattern=NO_NUL)]]


class NotConfigured(DomainError):
    code = "not_configured"
    status_hint = 503


class AmAlert(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: Literal["firing", "resolved"]
    labels: Labels = Field(default_factory=dict)
    annotations: Labels = Field(default_factory=dict)
    startsAt: datetime | None = None
    endsAt: datetime | None = None
    generatorURL: str = Field(default="", max_length=4096, pattern=NO_NUL)
    fingerprint: str = Field(default="", max_length=128, pattern=NO_NUL)


class AmPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str = Field(default="", max_length=4096, pattern=NO_NUL)
    groupKey: str = Field(default="", max_length=4096, pattern=NO_NUL)
    truncatedAlerts: int = 0
    alerts: list[AmAlert] = Field(max_length=1000)


class IngestResult(BaseModel):
    opened: int
    updated: int
    resolved: int
    unmatched_instances: list[str]


def require_alertmanager_token(
    container: ContainerDep, authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = container.settings.alertmanager_token
    if expected is None:
        raise NotConfigured(
            "Alertmanager ingestion is off: set CHATOPS_ALERTMANAGER_TOKEN and give it to Alertmanager.",
            message_fr="La réception Alertmanager est désactivée : définissez CHATOPS_ALERTMANAGER_TOKEN "
                       "et donnez-le à Alertmanager.")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                             expected.get_secret_value().encode()):
        raise AuthenticationFailed("A valid Alertmanager bearer token is required.",
                                   message_fr="Un jeton Bearer Alertmanager valide est requis.")


@router.post("/alertmanager", response_model=IngestResult,
             dependencies=[Depends(require_alertmanager_token)])
async def alertmanager_webhook(body: AmPayload, container: ContainerDep, request: Request) -> IngestResult:
    alerts = [ExternalAlert(status=a.status, labels=a.labels, annotations=a.annotations, starts_at=a.startsAt,
                            ends_at=a.endsAt, fingerprint=a.fingerprint, generator_url=a.generatorURL)
              for a in body.alerts]
    report = await monitoring.ingest_alertmanager(container.uow, alerts, datetime.now(UTC))
    for alert, kind in report.events:  # notifications and the dashboard's alert events
        container.alert_listener(alert, kind, None)
    return IngestResult(opened=report.opened, updated=report.updated, resolved=report.resolved,
                        unmatched_instances=list(report.unmatched_instances))
