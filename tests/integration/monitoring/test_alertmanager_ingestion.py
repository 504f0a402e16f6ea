"""POST /api/v1/integrations/alertmanager with Alertmanager's webhook payload (version 4).

The payload follows the format documented at
https://prometheus.io/docs/alerting/latest/configuration/#webhook_config (every documented field
present, placeholders filled in), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from chatops_commander.bootstrap import Container
from chatops_commander.config import Settings
from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import monitoring
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal

ADMIN = Principal.cli("pytest")  # the alert lists below are everyone's

TOKEN = "am-token-9c1f3e7a5b2d4f6e8a0c"
URL = "/api/v1/integrations/alertmanager"

PAYLOAD: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}:{alertname="InstanceDown"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "chatops",
    "groupLabels": {"alertname": "InstanceDown"},
    "commonLabels": {"alertname": "InstanceDown", "job": "node"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example.org:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "InstanceDown", "instance": "10.0.0.21:9100", "job": "node",
                       "severity": "critical"},
            "annotations": {"summary": "Instance 10.0.0.21:9100 down",
                            "description": "10.0.0.21:9100 of job node has been down for more than 5 minutes."},
            "startsAt": "2026-11-23T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=up+%3D%3D+0",
            "fingerprint": "7d1b6e2a9c0f4e31",
        },
        {
            "status": "firing",
            "labels": {"alertname": "HighDisk", "instance": "unknown-host.example.org", "severity": "warning"},
            "annotations": {"summary": "Disk almost full"},
            "startsAt": "2026-11-23T10:01:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.org:9090/graph",
            "fingerprint": "0a1b2c3d4e5f6789",
        },
    ],
}


@pytest.fixture
async def client(settings: Settings, container: Container) -> httpx.AsyncClient:
    container.settings = settings.model_copy(update={"alertmanager_token": SecretStr(TOKEN)})
    app = create_app(container.settings, container=container)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_firing_then_resolved_payload_creates_and_resolves_alerts(
    container: Container, client: httpx.AsyncClient,
) -> None:
    async with container.uow() as uow:
        db = await uow.servers.add(Server(name="db-01", hostname="db-01.internal", ip_address="10.0.0.21",
                                          ssh_user="ops"))
        await uow.commit()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    resp = await client.post(URL, json=PAYLOAD, headers=auth)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"opened": 2, "updated": 0, "resolved": 0,
                           "unmatched_instances": ["unknown-host.example.org"]}
    again = await client.post(URL, json=PAYLOAD, headers=auth)  # Alertmanager repeats: deduplicated
    assert again.json()["opened"] == 0
    items, total = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=False))
    assert total == 2
    down = next(a for a in items if a.type == "InstanceDown")
    assert (down.server_id, down.severity.value, down.source.value) == (db.id, "critical", "alertmanager")
    assert "Instance 10.0.0.21:9100 down" in down.message and down.message_fr.startswith("Alertmanager :")

    resolved = copy.deepcopy(PAYLOAD)
    resolved["status"] = "resolved"
    resolved["alerts"] = [dict(resolved["alerts"][0], status="resolved", endsAt="2026-11-23T10:20:00Z")]
    resp = await client.post(URL, json=resolved, headers=auth)
    assert resp.json()["resolved"] == 1
    items, total = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=True))
    assert [a.type for a in items] == ["InstanceDown"] and items[0].resolved_by == "alertmanager"
    assert items[0].resolved_at is not None and items[0].resolved_at.minute == 20


async def test_token_is_required_and_bad_bodies_are_refused_without_writing(
    container: Container, client: httpx.AsyncClient,
) -> None:
    assert (await client.post(URL, json=PAYLOAD)).status_code == 401
    wrong = await client.post(URL, json=PAYLOAD, headers={"Authorization": "Bearer nope", "Accept-Language": "fr"})
    assert wrong.status_code == 401 and "jeton" in wrong.json()["detail"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bad = await client.post(URL, json={**PAYLOAD, "version": "3"}, headers=auth)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    garbage = await client.post(URL, content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert garbage.status_code == 422
    _, total = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=None))
    assert total == 0


async def test_without_a_configured_token_ingestion_is_off(settings: Settings, container: Container) -> None:
    app = create_app(settings, container=container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        resp = await c.post(URL, json=PAYLOAD, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 503 and "CHATOPS_ALERTMANAGER_TOKEN" in resp.json()["detail"]
