"""The done-when and the catalog on the real fleet: real sshd, real supervisord, real nginx."""

from __future__ import annotations

import pytest

from chatops_commander.adapters.executors.local import LocalExecutor
from chatops_commander.adapters.executors.routing import RoutingExecutor
from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from chatops_commander.domain.execution import CommandPlan, HostOutcome, for_host
from chatops_commander.domain.servers import Server
from chatops_commander.services.execution import FanOut
from chatops_commander.skills.registry import load_registry
from tests.fleet import Fleet

pytestmark = pytest.mark.fleet


def fan(executor: SSHExecutor) -> FanOut:
    return FanOut(executor, load_registry(use_entry_points=False))


async def test_restarting_nginx_on_web_01_really_restarts_it_and_it_still_serves(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    before = fleet.service_pid("web-01", "nginx")
    other = fleet.service_pid("web-02", "nginx")
    [res] = await fan(fleet_executor).run_all("service.restart", {"service": "nginx"}, [fleet.server("web-01")])
    assert res.outcome is HostOutcome.OK, res
    after = fleet.service_pid("web-01", "nginx")
    assert after and after != before
    assert "hello from web-01" in (fleet.http_get("web-01") or "")
    assert fleet.service_pid("web-02", "nginx") == other
    assert res.data["explanation"]["fr"].startswith("✅ J'ai redémarré nginx. Vérifié à l'instant : nginx tourne")
    assert res.data["verification"]["ok"] and len(res.data["verification"]["samples"]) == 3


async def test_stopping_nginx_on_web_01_leaves_web_02_serving(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    f = fan(fleet_executor)
    try:
        [stop] = await f.run_all("service.stop", {"service": "nginx"}, [fleet.server("web-01")])
        assert stop.ok, stop
        results = {r.host: r for r in await f.run_all("service.status", {"service": "nginx"}, fleet.servers()[:2])}
        assert results["web-01"].data["active"] is False
        assert results["web-02"].data["active"] is True
        assert "hello from web-02" in (fleet.http_get("web-02") or "")
        assert fleet.http_get("web-01") is None
    finally:
        await f.run_all("service.start", {"service": "nginx"}, [fleet.server("web-01")])
    assert fleet.service_pid("web-01", "nginx")


async def test_service_manager_is_detected_once_per_host(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    f = fan(fleet_executor)
    db = fleet.server("db-master")
    plat = await f.platform(db)
    assert plat.service_manager.value == "supervisor"
    assert await f.platform(db) is plat


async def test_service_status_logs_and_read_only_actions_parse_real_output(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    f = fan(fleet_executor)
    db = fleet.server("db-master")
    [status] = await f.run_all("service.status", {"service": "postgresql"}, [db])
    assert status.data["active"] is True and status.data["pid"]
    [logs] = await f.run_all("service.logs", {"service": "postgresql", "grep": "READY", "lines": 5}, [db])
    assert logs.ok and logs.data["lines"] and all("ready" in ln for ln in logs.data["lines"])
    [disk] = await f.run_all("server.disk", {"path": "/"}, [db])
    assert disk.data["mounts"][0]["mount"] == "/" and 0 <= disk.data["mounts"][0]["percent"] <= 100
    [mem] = await f.run_all("server.memory", {}, [db])
    assert mem.data["memory"]["total"] > 0
    [st] = await f.run_all("server.status", {}, [db])
    assert st.ok and st.data["uptime_s"] > 0 and st.data["mounts"]
    [ps] = await f.run_all("server.processes", {"sort": "mem", "limit": 3}, [db])
    assert len(ps.data["processes"]) == 3


async def test_unknown_service_is_a_clear_failure_on_that_host(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    [res] = await fan(fleet_executor).run_all("service.restart", {"service": "nope"}, [fleet.server("web-02")])
    assert res.outcome is HostOutcome.FAILED
    assert "no such process" in (res.stdout + res.stderr).lower()


async def test_pooled_connections_are_reused_and_replaced_when_dead(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    f = fan(fleet_executor)
    web = fleet.server("web-02")
    for _ in range(3):
        [r] = await f.run_all("server.load", {}, [web])
        assert r.ok
    assert fleet_executor.connects == 1
    fleet.kill_sshd_sessions()
    [r] = await f.run_all("server.load", {}, [web])
    assert r.ok, r
    assert fleet_executor.connects == 2
    assert fleet_executor.evict_idle(max_idle=0) == 1
    assert fleet_executor.pooled_connections(web) == 0


async def test_commands_run_under_the_c_locale_on_ssh_hosts_unless_told_otherwise(fleet: Fleet) -> None:
    [server] = [s for s in fleet.servers() if s.name == "web-01"]
    plan = CommandPlan((("sh", "-c", 'printf "%s|%s" "$LC_ALL" "$LANG"'),))
    for locale, expected in (("C", "C|C"), ("POSIX", "POSIX|POSIX")):
        ex = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False, locale=locale))
        try:
            res = await ex.run(server, plan)
        finally:
            await ex.close()
        assert res.ok and res.stdout == expected, res
    ex = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False, locale=None))
    try:
        res = await ex.run(server, plan)
    finally:
        await ex.close()
    assert res.ok and res.stdout != "C|C"  # the host's own environment


async def test_the_local_executor_uses_the_same_locale() -> None:
    plan = CommandPlan((("sh", "-c", 'printf "%s" "$LC_ALL"'),))
    localhost = Server(name="localhost", hostname="localhost", ip_address="127.0.0.1", ssh_user="root")
    assert (await LocalExecutor().run(localhost, plan)).stdout == "C"
    assert (await LocalExecutor(locale="POSIX").run(localhost, plan)).stdout == "POSIX"


async def test_a_become_server_runs_commands_through_passwordless_sudo(fleet: Fleet) -> None:
    """db-master's account may run `/usr/bin/id` as root without a password; web-02's may not."""
    ex = RoutingExecutor(LocalExecutor(), SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts),
                                                                 use_agent=False)))
    plan = CommandPlan((("/usr/bin/id", "-u"),))
    try:
        plain = await ex.run(fleet.server("db-master"), plan)
        root = await ex.run(fleet.server("db-master", become=True), plan)
        refused = await ex.run(fleet.server("web-02", become=True), plan)
    finally:
        await ex.close()
    assert plain.ok and plain.stdout.strip() != "0"
    assert root.ok and root.stdout.strip() == "0", root
    assert refused.outcome is HostOutcome.FAILED and "password is required" in refused.stderr, refused
    assert for_host(plan, become=True).render() == "sudo -n -- /usr/bin/id -u"
