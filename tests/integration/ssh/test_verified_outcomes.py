"""Verified outcomes on the real fleet: a restart answers `ok` only when the service is really up.

nginx under supervisord with a broken configuration exits as soon as it starts and supervisord starts it again
(a real crash loop, port closed): "restart nginx" must answer failed with the evidence, not "restarted".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor
from chatops_commander.adapters.probes import NetworkProbe
from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.services.execution import FanOut
from chatops_commander.services.verification import Verifier, VerifyPolicy
from chatops_commander.skills.registry import load_registry
from tests.fleet import Fleet

pytestmark = pytest.mark.fleet

BOUND_S = 60.0


def verifying(fleet: Fleet, executor: SSHExecutor, host: str) -> FanOut:
    port = fleet.hosts[host].http_port
    policy = VerifyPolicy(checks=3, interval_s=0.5, endpoints={f"{host}/nginx": f"tcp:{port}"})
    return FanOut(executor, load_registry(use_entry_points=False), verifier=Verifier(policy, NetworkProbe()))


async def restart(fan: FanOut, fleet: Fleet, host: str) -> RunResult:
    [res] = await asyncio.wait_for(fan.run_all("service.restart", {"service": "nginx"}, [fleet.server(host)]),
                                   BOUND_S)
    return res


@pytest.fixture
def broken_nginx(fleet: Fleet) -> Iterator[str]:
    with fleet.broken_nginx("web-02"):
        yield "web-02"


async def test_a_healthy_restart_is_verified_with_the_port_checked_now(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    res = await restart(verifying(fleet, fleet_executor, "web-01"), fleet, "web-01")
    assert res.outcome is HostOutcome.OK, res
    check = res.data["verification"]
    assert check["ok"] and [s["state"] for s in check["samples"]] == ["running"] * 3
    assert len({s["pid"] for s in check["samples"]}) == 1
    assert check["reach"]["ok"] and check["reach"]["target"] == f"127.0.0.1:{fleet.hosts['web-01'].http_port}"
    assert "accepts connections" in res.data["explanation"]["en"]
    assert "Checked just now" in res.data["explanation"]["en"]
    assert "Vérifié à l'instant" in res.data["explanation"]["fr"]


async def test_restarting_a_crash_looping_nginx_answers_failed_with_the_evidence(
    fleet: Fleet, fleet_executor: SSHExecutor, broken_nginx: str
) -> None:
    res = await restart(verifying(fleet, fleet_executor, broken_nginx), fleet, broken_nginx)
    assert res.outcome is HostOutcome.FAILED, res
    assert res.exit_code == 0  # supervisorctl said "started": only the verification knows better
    check = res.data["verification"]
    assert not check["ok"]
    assert check["reach"] is None or not check["reach"]["ok"]
    assert any("this_is_not_nginx" in line for line in check["log_lines"]), check["log_lines"]
    assert "nginx" in res.message and "last log lines / dernières lignes de log" in res.message
    en, fr = res.data["explanation"]["en"], res.data["explanation"]["fr"]
    assert en.startswith("nginx") and "last log lines:" in en and "dernières" not in en, en
    assert fr.startswith("nginx") and "dernières lignes de log :" in fr and "last log" not in fr, fr
    assert "restarted" not in res.data["explanation"]["en"]
    assert fleet.http_get(broken_nginx) is None  # and indeed nothing serves


async def test_nginx_running_but_its_port_closed_is_failed(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    closed_port = 1  # nothing listens on port 1 of the loopback
    policy = VerifyPolicy(checks=2, interval_s=0.2, endpoints={"web-01/nginx": f"tcp:{closed_port}"})
    fan = FanOut(fleet_executor, load_registry(use_entry_points=False), verifier=Verifier(policy, NetworkProbe()))
    res = await restart(fan, fleet, "web-01")
    assert res.outcome is HostOutcome.FAILED, res
    assert res.data["verification"]["reach"] == {
        "target": "127.0.0.1:1", "ok": False, "detail": "Connection refused", "latency_ms": None}
    assert "runs (pid" in res.message and "does not answer" in res.message and "ne répond pas" in res.message
