"""Monitoring over HTTP through the authenticated client: alerts (filters, pagination, resolve), fleet summary,
latest metrics and series, `/metrics` in Prometheus format, and the collector started by the app's lifespan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from chatops_commander import bootstrap
from chatops_commander.adapters.monitoring.prom_metrics import PrometheusMetrics
from chatops_commander.domain.monitoring.alerts import Alert, AlertSource
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.monitoring.samples import Disk, HostMetrics, Load, Memory, Sample
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import audit
from chatops_commander.services import users as user_service
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, TEST_CLI, bearer, client_for

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def seed(container: bootstrap.Container) -> dict[str, Any]:
    """Two servers, samples for web-01, five alerts (3 open: 2 critical, 1 warning; 2 resolved)."""
    async with container.uow() as uow:
        web = await uow.servers.add(Server(name="web-01", hostname="web-01.example.org", ip_address="10.0.0.11",
                                           ssh_user="ops", services=("nginx",)))
        db = await uow.servers.add(Server(name="db-01", hostname="db-01.example.org", ip_address="10.0.0.21",
                                          ssh_user="ops"))
        for i in range(3):
            await uow.samples.add(Sample(server_id=web.id, collected_at=T0 + timedelta(seconds=30 * i),
                                         metrics=HostMetrics(load=Load(0.5 + i, 0.4, 0.3), cores=2, cpu_percent=12.5,
                                                             memory=Memory(1000, 400 + i, 0, 0),
                                                             disks=(Disk("/", "/dev/sda1", 100, 85, 15),))))
        ids = {}
        for n, (server, sev, resolved) in enumerate([(web, Severity.CRITICAL, False), (web, Severity.WARNING, False),
                                                     (db, Severity.CRITICAL, False), (db, Severity.INFO, True),
                                                     (web, Severity.WARNING, True)]):
            a = await uow.alerts.add(Alert(type=f"rule{n}", severity=sev, message=f"problem {n}",
                                           message_fr=f"problème {n}", fingerprint=f"rules:{server.id}:rule{n}",
                                           server_id=server.id, resolved=resolved, created_at=T0 + timedelta(minutes=n),
                                           resolved_at=T0 + timedelta(hours=1) if resolved else None))
            ids[n] = a.id
        await uow.commit()
    return {"web": web, "db": db, "alerts": ids}


async def test_alerts_are_listed_filtered_and_paginated(container: bootstrap.Container, api: httpx.AsyncClient) -> None:
    s = await seed(container)
    page = (await api.get("/api/v1/alerts")).json()
    assert page["total"] == 3 and [a["type"] for a in page["items"]] == ["rule2", "rule1", "rule0"]  # newest first
    assert {a["severity"] for a in page["items"]} == {"critical", "warning"}
    critical = (await api.get("/api/v1/alerts", params={"severity": "critical"})).json()
    assert [a["type"] for a in critical["items"]] == ["rule2", "rule0"]
    on_db = (await api.get("/api/v1/alerts", params={"server_id": str(s["db"].id), "status": "all"})).json()
    assert sorted(a["type"] for a in on_db["items"]) == ["rule2", "rule3"]
    resolved = (await api.get("/api/v1/alerts", params={"status": "resolved"})).json()
    assert resolved["total"] == 2 and all(a["resolved"] for a in resolved["items"])
    first = (await api.get("/api/v1/alerts", params={"status": "all", "limit": 2})).json()
    second = (await api.get("/api/v1/alerts", params={"status": "all", "limit": 2, "offset": 2})).json()
    third = (await api.get("/api/v1/alerts", params={"status": "all", "limit": 2, "offset": 4})).json()
    seen = [a["id"] for p in (first, second, third) for a in p["items"]]
    assert first["total"] == 5 and len(seen) == 5 and len(set(seen)) == 5
    am = (await api.get("/api/v1/alerts", params={"source": AlertSource.ALERTMANAGER.value})).json()
    assert am["total"] == 0
    fr = (await api.get("/api/v1/alerts", headers={"Accept-Language": "fr"})).json()
    assert fr["items"][0]["message"] == "problème 2" and fr["items"][0]["messages"]["en"] == "problem 2"
    bad = await api.get("/api/v1/alerts", params={"severity": "huge", "limit": 0})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


async def test_resolve_needs_an_operator_and_works_once(
    container: bootstrap.Container, api: httpx.AsyncClient, as_role: Callable[[Role], Any],
) -> None:
    s = await seed(container)
    target = s["alerts"][0]
    _viewer, viewer = await as_role(Role.VIEWER)
    assert (await viewer.get("/api/v1/alerts")).status_code == 200
    denied = await viewer.post(f"/api/v1/alerts/{target}/resolve")
    assert denied.status_code == 403
    operator_user, operator = await as_role(Role.OPERATOR)
    done = await operator.post(f"/api/v1/alerts/{target}/resolve")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["resolved"] and body["resolved_by"] == operator_user.email and body["resolved_at"]
    again = await operator.post(f"/api/v1/alerts/{target}/resolve", headers={"Accept-Language": "fr"})
    assert again.status_code == 409 and "déjà résolue" in again.json()["detail"]
    missing = await api.post("/api/v1/alerts/00000000-0000-4000-8000-000000000000/resolve")
    assert missing.status_code == 404
    assert (await api.get("/api/v1/alerts")).json()["total"] == 2
    anonymous = await client_for(container).post(f"/api/v1/alerts/{s['alerts'][1]}/resolve")
    assert anonymous.status_code == 401
    trail = await audit.recent(container.uow, limit=100)
    [resolved] = [e for e in trail if e.action is AuditAction.ALERT_RESOLVED]
    assert resolved.actor == operator_user.email and resolved.target == str(target)
    assert resolved.details["severity"] == "critical" and resolved.details["server_id"]
    assert any(e.action is AuditAction.AUTHORIZATION_DENIED and e.details.get("action") == "alerts.resolve"
               for e in trail)  # the viewer's attempt


async def test_fleet_summary_latest_and_series(container: bootstrap.Container, api: httpx.AsyncClient) -> None:
    s = await seed(container)
    summary = (await api.get("/api/v1/monitoring/summary")).json()
    assert summary["open_alerts"] == {"info": 0, "warning": 1, "critical": 2}
    rows = {r["name"]: r for r in summary["items"]}
    assert rows["web-01"]["load1"] == 2.5 and rows["web-01"]["disk_max_percent"] == 85.0
    assert rows["web-01"]["open_alerts"] == {"critical": 1, "warning": 1}
    assert rows["db-01"]["load1"] is None and rows["db-01"]["open_alerts"] == {"critical": 1}
    latest = (await api.get(f"/api/v1/monitoring/servers/{s['web'].id}/latest")).json()
    assert latest["server"] == "web-01" and latest["sample"]["load"]["1m"] == 2.5
    assert latest["sample"]["disks"][0]["mount"] == "/"
    series = (await api.get(f"/api/v1/monitoring/servers/{s['web'].id}/series", params={
        "start": (T0 - timedelta(minutes=1)).isoformat(), "end": (T0 + timedelta(seconds=45)).isoformat()})).json()
    assert [p["load"]["1m"] for p in series["points"]] == [0.5, 1.5]
    empty = (await api.get(f"/api/v1/monitoring/servers/{s['db'].id}/latest")).json()
    assert empty["sample"] is None
    backwards = await api.get(f"/api/v1/monitoring/servers/{s['web'].id}/series", params={
        "start": T0.isoformat(), "end": (T0 - timedelta(hours=1)).isoformat()})
    assert backwards.status_code == 422
    dawn_of_time = await api.get(f"/api/v1/monitoring/servers/{s['web'].id}/series",
                                 params={"end": "0001-01-01T00:00:00Z"})
    assert dawn_of_time.status_code == 422 and "end" in dawn_of_time.json()["detail"]
    unknown = await api.get("/api/v1/monitoring/servers/00000000-0000-4000-8000-000000000000/latest")
    assert unknown.status_code == 404


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


async def test_metrics_endpoint_in_prometheus_format(
    container: bootstrap.Container, api: httpx.AsyncClient, admin: User,
) -> None:
    s = await seed(container)
    await api.get(f"/api/v1/monitoring/servers/{s['web'].id}/latest")
    await api.get(f"/api/v1/monitoring/servers/{s['db'].id}/latest")
    container.metrics.command("service.restart", "ok")
    container.metrics.command("service.restart", "ok")
    container.metrics.command("shell.run", "denied")
    resp = await api.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    fams = families(resp.text)
    http = fams["chatops_http_request_duration_seconds"]
    routes = {(x.labels["route"], x.labels["method"], x.labels["status"]) for x in http.samples
              if x.name.endswith("_count")}
    assert ("/api/v1/monitoring/servers/{server_id}/latest", "GET", "200") in routes
    assert not any(str(s["web"].id) in r for r, _, _ in routes)  # templates, never raw paths
    counts = {x.labels["route"]: x.value for x in http.samples if x.name.endswith("_count")
              and x.labels["route"].endswith("/latest")}
    assert counts == {"/api/v1/monitoring/servers/{server_id}/latest": 2.0}
    commands = {(x.labels["action"], x.labels["outcome"]): x.value for x in fams["chatops_commands"].samples
                if x.name == "chatops_commands_total"}
    assert commands == {("service.restart", "ok"): 2.0, ("shell.run", "denied"): 1.0}
    open_alerts = {x.labels["severity"]: x.value for x in fams["chatops_alerts_open"].samples}
    assert open_alerts == {"info": 0.0, "warning": 1.0, "critical": 2.0}
    assert "chatops_fanout_duration_seconds" in fams and "chatops_collector_lag_seconds" in fams
    assert "chatops_collector_failures" in fams
    await anonymous_metrics(container)


async def anonymous_metrics(container: bootstrap.Container) -> None:
    async with client_for(container) as anon:
        assert (await anon.get("/metrics")).status_code == 200  # open unless a token is set
        await anon.get("/no/such/page")
        text = (await anon.get("/metrics")).text
        assert 'route="<unmatched>"' in text
        container.settings = container.settings.model_copy(update={"metrics_token": SecretStr("m" * 40)})
        assert (await anon.get("/metrics")).status_code == 401
        assert (await anon.get("/metrics", headers=bearer("m" * 40))).status_code == 200


async def test_each_container_has_its_own_registry(container: bootstrap.Container) -> None:
    other = PrometheusMetrics()
    container.metrics.command("x", "ok")
    assert other.value("chatops_commands_total", {"action": "x", "outcome": "ok"}) is None


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedded-mode lifespan (localhost registered) runs on SQLite")


async def test_serve_lifespan_starts_and_stops_the_collector(tmp_path: Path, sqlite_only: None,
                                                             database_url: str) -> None:
    """The app that owns its container collects (localhost, local executor) and stops cleanly."""
    settings = make_settings(tmp_path, database_url, monitoring_interval_s=3600, **CHEAP_ARGON2)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        container: bootstrap.Container = app.state.container
        assert container.monitor is not None and container.monitor.running
        deadline = time.monotonic() + 30
        sample = None
        while sample is None:
            assert time.monotonic() < deadline, "no sample of localhost within 30 s"
            async with container.uow() as uow:
                local = await uow.servers.get_by_name("localhost")
                sample = await uow.samples.latest(local.id) if local and local.id else None
            if sample is None:
                await asyncio.sleep(0.05)  # polling the database
        assert sample.metrics.load is not None and sample.metrics.memory is not None
        monitor = container.monitor
    assert container.monitor is None and not monitor.running and container.closed


async def test_a_viewer_sees_alerts_and_figures_of_the_servers_they_may_read_only(
    container: bootstrap.Container, as_role: Callable[..., Any],
) -> None:
    s = await seed(container)
    user, viewer = await as_role(Role.VIEWER, "narrow-viewer@example.com")
    await user_service.set_permission(container.uow, TEST_CLI, user.id, "web-01", ServerPermission(can_read=True))
    async with container.uow() as uow:
        await uow.alerts.add(Alert(type="external", severity=Severity.WARNING, message="from Alertmanager",
                                   message_fr="depuis Alertmanager", fingerprint="am:x", server_id=None,
                                   created_at=T0))
        await uow.commit()
    alerts = (await viewer.get("/api/v1/alerts")).json()
    assert alerts["total"] == 3  # web-01's two open ones and the one tied to no server; not db-01's
    assert {a["server_id"] for a in alerts["items"]} == {str(s["web"].id), None}
    summary = (await viewer.get("/api/v1/monitoring/summary")).json()
    assert summary["servers"] == 1 and [i["name"] for i in summary["items"]] == ["web-01"]
    assert summary["open_alerts"] == {"critical": 1, "warning": 2, "info": 0}
    hidden = await viewer.get("/api/v1/alerts", params={"server_id": str(s["db"].id)})
    assert hidden.json()["total"] == 0
