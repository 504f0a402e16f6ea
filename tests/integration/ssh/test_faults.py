"""Bad input and faults on the real fleet: each ends as a clear per-host result, others complete, nothing hangs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time

import asyncssh
import pytest

from chatops_commander.adapters.executors.local import LocalExecutor
from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from chatops_commander.domain.errors import NotFound, ValidationFailed
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server
from chatops_commander.services.execution import FanOut
from chatops_commander.skills.registry import load_registry
from tests.fleet import Fleet
from tests.fleet.fleet import free_ports

pytestmark = pytest.mark.fleet


def fan(executor: SSHExecutor | LocalExecutor) -> FanOut:
    return FanOut(executor, load_registry(use_entry_points=False))


def shell(cmd: str, timeout_s: float = 20) -> CommandPlan:
    return CommandPlan((("sh", "-c", cmd),), timeout_s=timeout_s)


async def collect(f: FanOut, plan: CommandPlan, servers: list[Server], deadline_s: float = 60) -> dict[str, RunResult]:
    return {r.host: r async for r in f.run_plan(plan, servers, deadline_s=deadline_s)}


async def test_unknown_action_and_bad_parameters_are_refused_before_any_host(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    f = fan(fleet_executor)
    with pytest.raises(NotFound) as nf:
        await f.run_all("service.explode", {}, fleet.servers())
    assert "Action inconnue" in nf.value.localized("fr")
    with pytest.raises(ValidationFailed) as bad:
        await f.run_all("service.restart", {"service": "nginx; rm -rf /"}, fleet.servers())
    assert bad.value.problems[0][0] == "service"
    assert fleet_executor.connects == 0


async def test_unreachable_host_fails_alone(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    closed = free_ports(1)[0]
    ghost = fleet.server("web-02", name="ghost-01", port=closed)
    results = {r.host: r for r in await fan(fleet_executor).run_all("server.load", {}, [ghost, fleet.server("web-01")])}
    assert results["ghost-01"].outcome is HostOutcome.UNREACHABLE
    assert "injoignable" in results["ghost-01"].message
    assert results["web-01"].ok


async def test_wrong_key_is_auth_failed(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    srv = fleet.server("web-01", ssh_key_path=str(fleet.wrong_key))
    [res] = await fan(fleet_executor).run_all("server.load", {}, [srv])
    assert res.outcome is HostOutcome.AUTH_FAILED
    assert "cc-web-01" in res.message


async def test_changed_host_key_is_refused_with_a_clear_message(fleet: Fleet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wrong = (fleet.wrong_key.with_suffix(".pub")).read_text().split()
    port = fleet.hosts["web-01"].port
    kh = tmp_path / "known_hosts"
    kh.write_text(f"[127.0.0.1]:{port} {wrong[0]} {wrong[1]}\n")
    ex = SSHExecutor(SSHOptions(known_hosts=str(kh), use_agent=False))
    try:
        for policy in (HostKeyPolicy.KNOWN_HOSTS, HostKeyPolicy.TOFU):
            [res] = await fan(ex).run_all("server.load", {}, [fleet.server("web-01", host_key_policy=policy)])
            assert res.outcome is HostOutcome.HOST_KEY_MISMATCH
            assert "changed" in res.message and "a changé" in res.message
    finally:
        await ex.close()


async def test_unknown_host_is_refused_unless_tofu_which_pins_the_fingerprint(fleet: Fleet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    ex = SSHExecutor(
        SSHOptions(
            known_hosts=str(tmp_path / "none"), use_agent=False, on_new_host_key=lambda s, fp: seen.append((s.name, fp))
        )
    )
    try:
        [strict] = await fan(ex).run_all("server.load", {}, [fleet.server("web-02")])
        assert strict.outcome is HostOutcome.HOST_KEY_UNKNOWN and "known_hosts" in strict.message
        offered = asyncssh.read_public_key(f"{fleet.host_key}.pub").get_fingerprint("sha256")
        assert offered in strict.message
        assert "`chatops servers trust web-02`" in strict.message and "n'est ni dans known_hosts" in strict.message
        [tofu] = await fan(ex).run_all("server.load", {}, [fleet.server("web-02", host_key_policy=HostKeyPolicy.TOFU)])
        assert tofu.ok
        assert seen and seen[0][0] == "web-02" and seen[0][1].startswith("SHA256:")
        pinned_wrong = fleet.server("db-master", host_key_policy=HostKeyPolicy.TOFU, host_key_fingerprint="SHA256:x")
        [res] = await fan(ex).run_all("server.load", {}, [pinned_wrong])
        assert res.outcome is HostOutcome.HOST_KEY_MISMATCH
    finally:
        await ex.close()


async def test_hanging_command_times_out_and_others_complete(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    servers = fleet.servers()
    plan = shell('case "$(id -un)" in cc-web-01) sleep 600;; *) echo done;; esac', timeout_s=1)
    results = await collect(fan(fleet_executor), plan, servers)
    assert results["web-01"].outcome is HostOutcome.TIMED_OUT
    assert results["web-02"].ok and results["db-master"].stdout == "done\n"


async def test_gigabytes_of_output_are_capped_flagged_and_stopped(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    results = await collect(fan(fleet_executor), shell("yes", timeout_s=60), [fleet.server("web-02")])
    res = results["web-02"]
    assert res.stdout_truncated and len(res.stdout.encode()) == 1024 * 1024
    assert res.outcome is HostOutcome.FAILED and "1 MiB" in res.message


async def test_non_utf8_output_is_decoded_with_replacement(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    lines: list[tuple[str, str, str]] = []
    plan = shell(r"printf 'caf\351 \377\n'; printf 'err\376\n' >&2")
    res = await fleet_executor.run(fleet.server("db-master"), plan, on_line=lambda *a: lines.append(a))
    assert res.ok and res.stdout == "caf\ufffd \ufffd\n" and res.stderr == "err\ufffd\n"
    assert ("db-master", "stdout", "caf\ufffd \ufffd") in lines


async def test_host_dropping_mid_fan_out_is_one_clear_result(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    f = fan(fleet_executor)
    task = asyncio.create_task(collect(f, shell("sleep 3.25; echo finished"), fleet.servers()))
    deadline = time.monotonic() + 10
    sleeper: list[str] = []
    while not sleeper and time.monotonic() < deadline:
        sleeper = subprocess.run(  # noqa: ASYNC221 - a quick pgrep while polling
            ["pgrep", "-u", "cc-db-master", "-f", "^sleep 3.25$"], capture_output=True, text=True
        ).stdout.split()
        await asyncio.sleep(0.05)
    assert sleeper, "the fan-out never reached db-master"
    # Walk up to the per-connection sshd (child of a listener) and kill it: the connection drops.
    pid, listeners, chain = int(sleeper[0]), set(fleet.sshd_pids()), []
    while (pid := _ppid(pid)) not in listeners and pid > 1:
        chain.append(pid)
    for p in chain[-2:]:  # the connection's monitor and its session process: both sshd
        with contextlib.suppress(ProcessLookupError):  # the monitor may end with its session first
            os.kill(p, signal.SIGKILL)
    results = await asyncio.wait_for(task, 30)
    assert results["db-master"].outcome in (HostOutcome.UNREACHABLE, HostOutcome.FAILED)
    assert results["db-master"].message
    assert results["web-01"].stdout == "finished\n" and results["web-02"].stdout == "finished\n"


async def test_overall_deadline_ends_the_fan_out(fleet: Fleet, fleet_executor: SSHExecutor) -> None:
    results = await collect(fan(fleet_executor), shell("sleep 600", timeout_s=600), fleet.servers(), deadline_s=1)
    assert {r.outcome for r in results.values()} == {HostOutcome.TIMED_OUT}
    assert "délai global" in results["web-01"].message


async def test_local_executor_runs_localhost_with_the_same_guarantees() -> None:
    local = Server(name="localhost", hostname="localhost", ip_address="127.0.0.1", connection=Connection.LOCAL)
    ex = LocalExecutor()
    ok = await ex.run(local, CommandPlan((("echo", "a b"), ("printf", "\\377")), timeout_s=5))
    assert ok.ok and ok.stdout == "a b\n\ufffd"
    hung = await ex.run(local, shell("sleep 600", timeout_s=0.5))
    assert hung.outcome is HostOutcome.TIMED_OUT
    big = await ex.run(local, shell("yes", timeout_s=30))
    assert big.stdout_truncated and big.outcome is HostOutcome.FAILED
    [res] = await fan(ex).run_all("server.memory", {}, [local])
    assert res.data["memory"]["total"] > 0 and "Mémoire" in res.data["explanation"]["fr"]


def _ppid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])
