"""Deadlines on the real fleet: a host that hangs on an already-open pooled connection ends at the command's
timeout as `timed_out` (not "unreachable"), its connection leaves the pool, and the next command reconnects.

The hang is real: the sshd processes serving the pooled connection are stopped with SIGSTOP. Every wait is
bounded with `asyncio.wait_for` (a hang fails the test instead of blocking it); nothing is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor
from chatops_commander.domain.execution import CommandPlan, HostOutcome
from chatops_commander.services.execution import FanOut
from chatops_commander.skills.registry import load_registry
from tests.fleet import Fleet

pytestmark = pytest.mark.fleet

BOUND_S = 30.0  # far above every timeout used here: reaching it means the deadline did not hold


def shell(cmd: str, timeout_s: float) -> CommandPlan:
    return CommandPlan((("sh", "-c", cmd),), timeout_s=timeout_s)


def _stat(pid: int) -> tuple[str, int]:
    text = Path(f"/proc/{pid}/stat").read_text()
    name = text[text.index("(") + 1 : text.rindex(")")]
    return name, int(text.rsplit(")", 1)[1].split()[1])


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    return -1


def _tree() -> dict[int, tuple[str, int, int]]:
    """pid → (name, ppid, uid) of every process still there."""
    procs: dict[int, tuple[str, int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                name, ppid = _stat(int(entry))
                procs[int(entry)] = (name, ppid, _uid(int(entry)))
    return procs


def connection_sshd(fleet: Fleet, host: str) -> list[int]:
    """The sshd processes serving the connections of `host`'s account (below the fleet's listeners)."""
    uid = int(Path(fleet.hosts[host].home).stat().st_uid)
    procs, listeners = _tree(), set(fleet.sshd_pids())
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)

    def below(pid: int) -> list[int]:
        out = [pid]
        for child in children.get(pid, []):
            out += below(child)
        return out

    serving: list[int] = []
    for listener in listeners:
        for monitor in children.get(listener, []):
            tree = below(monitor)
            if any(procs[p][2] == uid for p in tree if p in procs):
                serving += [p for p in tree if procs[p][0].startswith("sshd")]
    return serving


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def test_a_hung_pooled_connection_ends_at_the_timeout_as_timed_out(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    web = fleet.server("web-01")
    warm = await asyncio.wait_for(fleet_executor.run(web, shell("echo warm", 10)), BOUND_S)
    assert warm.ok and fleet_executor.pooled_connections(web) == 1
    sshd = connection_sshd(fleet, "web-01")
    assert sshd, "no sshd process serves web-01's pooled connection"
    with frozen(sshd):
        hung = await asyncio.wait_for(fleet_executor.run(web, shell("echo hello", 1.5)), BOUND_S)
        assert hung.outcome is HostOutcome.TIMED_OUT
        assert "open connection" in hung.message and "connexion ouverte" in hung.message
        assert fleet_executor.pooled_connections(web) == 0 and fleet_executor.retired == 1
    again = await asyncio.wait_for(fleet_executor.run(web, shell("echo again", 10)), BOUND_S)
    assert again.ok and again.stdout == "again\n"


async def test_a_connection_hanging_mid_command_times_out_and_the_remote_command_is_killed(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    web = fleet.server("web-02")
    started = asyncio.Event()
    marker = "sleep 47.25"

    def seen(host: str, stream: str, line: str) -> None:
        if line == "started":
            started.set()

    task = asyncio.create_task(fleet_executor.run(web, shell(f"echo started; {marker}", 3), on_line=seen))
    await asyncio.wait_for(started.wait(), BOUND_S)
    with frozen(connection_sshd(fleet, "web-02")):
        res = await asyncio.wait_for(task, BOUND_S)
        assert res.outcome is HostOutcome.TIMED_OUT and res.stdout == "started\n"
        assert "j'ai arrêté la commande" in res.message
    assert await asyncio.to_thread(gone_within, BOUND_S, fleet, "web-02", marker), (
        "the remote command outlived its aborted connection"
    )


def gone_within(limit_s: float, fleet: Fleet, host: str, cmdline: str) -> bool:
    """Poll (bounded) until no process of `host`'s account runs exactly `cmdline`."""
    uid = int(Path(fleet.hosts[host].home).stat().st_uid)

    def left() -> bool:
        for pid, (_, _, owner) in _tree().items():
            if owner == uid:
                with contextlib.suppress(OSError):
                    if Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").strip() == cmdline.encode():
                        return True
        return False

    end = time.monotonic() + limit_s
    while left():
        if time.monotonic() > end:
            return False
        time.sleep(0.1)  # polling /proc with a deadline
    return True


async def test_a_hung_host_does_not_hold_the_fan_out_past_its_deadline(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    fan = FanOut(fleet_executor, load_registry(use_entry_points=False))
    servers = fleet.servers()
    warm = [r async for r in fan.run_plan(shell("echo warm", 10), servers, deadline_s=BOUND_S)]
    assert all(r.ok for r in warm)
    with frozen(connection_sshd(fleet, "db-master")):

        async def collect() -> dict[str, HostOutcome]:
            plan = shell("echo done", 600)  # the host's own timeout is far; the fan-out's deadline decides
            return {r.host: r.outcome async for r in fan.run_plan(plan, servers, deadline_s=2)}

        outcomes = await asyncio.wait_for(collect(), BOUND_S)
    assert outcomes == {"web-01": HostOutcome.OK, "web-02": HostOutcome.OK, "db-master": HostOutcome.TIMED_OUT}
