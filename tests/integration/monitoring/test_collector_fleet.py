"""The collector on the real sshd fleet: samples, status, disk alert open → resolve, unreachable host, service down.

Every test runs on SQLite and PostgreSQL (`database_url`), with real SSH and an injected clock.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor
from chatops_commander.adapters.monitoring.rules_file import load_rules
from chatops_commander.bootstrap import Container
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import EventKind
from chatops_commander.domain.monitoring.rules import Severity, rules_from_document
from chatops_commander.domain.servers import Server, ServerStatus
from chatops_commander.services import monitoring
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal
from tests.fleet import Fleet
from tests.fleet.fleet import free_ports
from tests.integration.monitoring.conftest import FakeClock

ADMIN = Principal.cli("pytest")  # the alert lists below are everyone's

pytestmark = pytest.mark.fleet


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 4 MiB tmpfs: a 3 MiB file fills it to 75%."""
    mount = Path(f"/tmp/chatops-mon-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        with contextlib.suppress(OSError):
            mount.rmdir()


async def register(container: Container, *servers: Server) -> list[Server]:
    async with container.uow() as uow:
        saved = [await uow.servers.add(s) for s in servers]
        await uow.commit()
    return saved


async def open_alerts(container: Container) -> list[Alert]:
    items, _ = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=False))
    return items


async def test_disk_over_threshold_opens_an_alert_and_clearing_it_resolves_it(
    fleet: Fleet, fleet_executor: SSHExecutor, container: Container, small_disk: Path,
) -> None:
    rules = rules_from_document({"rules": [
        {"id": "small_disk", "kind": "disk_usage", "thresholds": {"warning": 50, "critical": 90},
         "mounts": [str(small_disk)]}]})
    [web] = await register(container, fleet.server("web-01"))
    clock = FakeClock()
    events: list[tuple[str, EventKind]] = []
    collector = monitoring.Collector(container.uow, fleet_executor, rules, clock=clock,
                                     listeners=[lambda a, k, _s: events.append((a.type, k))])

    obs = await collector.collect(web)
    assert obs.reachable and obs.metrics is not None
    assert any(d.mount == str(small_disk) for d in obs.metrics.disks)
    assert await open_alerts(container) == []

    (small_disk / "fill").write_bytes(os.urandom(3 * 1024 * 1024))
    clock.advance(30)
    await collector.collect(web)
    [alert] = await open_alerts(container)
    assert (alert.type, alert.severity, alert.server_id) == ("small_disk", Severity.WARNING, web.id)
    assert str(small_disk) in alert.message and "plein" in alert.message_fr

    clock.advance(30)
    await collector.collect(web)  # still full: deduplicated
    assert [a.id for a in await open_alerts(container)] == [alert.id]

    (small_disk / "fill").unlink()
    clock.advance(30)
    await collector.collect(web)
    assert await open_alerts(container) == []
    done, _ = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=True))
    assert [a.id for a in done] == [alert.id]
    assert done[0].resolved_at == clock.now() and done[0].resolved_by == "auto"
    assert events == [("small_disk", EventKind.FIRING), ("small_disk", EventKind.RESOLVED)]

    latest = await monitoring.latest_metrics(container.uow, web.id)  # type: ignore[arg-type]
    assert latest["status"] == "online" and latest["sample"]["load"] is not None
    series = await monitoring.metric_series(container.uow, web.id, clock.now().replace(hour=0),  # type: ignore[arg-type]
                                            clock.now())
    assert len(series) == 4
    assert series[-1]["cpu_percent"] is not None  # two readings give a CPU percentage


async def test_a_host_whose_sshd_is_gone_is_offline_and_opens_the_unreachable_alert(
    fleet: Fleet, fleet_executor: SSHExecutor, container: Container,
) -> None:
    closed = free_ports(1)[0]
    [dead, alive] = await register(container, fleet.server("web-02", name="ghost-01", port=closed),
                                   fleet.server("db-master"))
    clock = FakeClock()
    collector = monitoring.Collector(container.uow, fleet_executor, load_rules(), clock=clock)
    results = await collector.collect_all()
    assert results["db-master"].reachable and not results["ghost-01"].reachable
    async with container.uow() as uow:
        ghost = await uow.servers.get(dead.id)  # type: ignore[arg-type]
        db = await uow.servers.get(alive.id)  # type: ignore[arg-type]
    assert ghost is not None and ghost.status is ServerStatus.OFFLINE and ghost.last_check == clock.now()
    assert db is not None and db.status is ServerStatus.ONLINE
    assert await open_alerts(container) == []  # default rule: unreachable for 1 minute first

    clock.advance(61)
    await collector.collect(ghost)
    [alert] = await open_alerts(container)
    assert (alert.type, alert.severity, alert.server_id) == ("host_unreachable", Severity.CRITICAL, dead.id)
    assert "unreachable" in alert.message and "injoignable" in alert.message_fr

    # backoff: the failing host is due again after 5 s, then 10 s, …; the healthy one after 30 s
    assert collector._hosts[dead.id].failures == 2  # type: ignore[index]
    assert collector._hosts[dead.id].next_due == clock.now().timestamp() + 10  # type: ignore[index]

    # sshd back (the real port): online again, the alert resolves
    clock.advance(10)
    await collector.collect(fleet.server("web-02", name="ghost-01", id=dead.id))
    assert await open_alerts(container) == []


async def test_a_stopped_service_opens_service_down_and_starting_it_resolves(
    fleet: Fleet, fleet_executor: SSHExecutor, container: Container,
) -> None:
    rules = rules_from_document({"rules": [{"id": "svc", "kind": "service_down", "severity": "critical"}]})
    [web] = await register(container, fleet.server("web-01"))
    collector = monitoring.Collector(container.uow, fleet_executor, rules, clock=FakeClock())
    fleet.supervisorctl("web-01", "stop", "nginx")
    try:
        obs = await collector.collect(web)
        assert obs.metrics is not None and obs.metrics.services["nginx"].value == "stopped"
        [alert] = await open_alerts(container)
        assert alert.type == "svc" and "nginx" in alert.message
    finally:
        fleet.supervisorctl("web-01", "start", "nginx")
    obs = await collector.collect(web)
    assert obs.metrics is not None and obs.metrics.services["nginx"].value == "running"
    assert await open_alerts(container) == []
