"""The SSH pool on the real fleet: connections opened ahead (`warm`) serve the commands that follow, and callers
waiting for one connection attempt share it and its failure (one handshake per host, never two)."""

from __future__ import annotations

import asyncio

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from chatops_commander.domain.execution import CommandPlan, HostOutcome
from tests.fleet import Fleet
from tests.fleet.fleet import free_ports

pytestmark = pytest.mark.fleet
UPTIME = CommandPlan((("uptime",),), timeout_s=30)


async def test_connections_opened_ahead_serve_the_commands_that_follow(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    servers = fleet.servers()
    await fleet_executor.warm(servers)
    results = await asyncio.gather(*(fleet_executor.run(s, UPTIME) for s in servers))
    assert all(r.ok and "load average" in r.stdout for r in results), results
    assert fleet_executor.connects == len(servers)  # the commands joined the warm-up's connections
    await fleet_executor.warm(servers)  # already open: nothing more
    assert fleet_executor.connects == len(servers)


async def test_concurrent_commands_to_a_cold_host_share_one_handshake(
    fleet: Fleet, fleet_executor: SSHExecutor
) -> None:
    server = fleet.servers()[0]
    results = await asyncio.gather(*(fleet_executor.run(server, UPTIME) for _ in range(6)))
    assert all(r.ok for r in results)
    assert fleet_executor.connects == 1 and fleet_executor.pooled_connections(server) == 1


async def test_callers_waiting_on_a_failed_attempt_all_get_its_outcome(fleet: Fleet) -> None:
    dead = fleet.servers()[0].__class__(**{**fleet.servers()[0].__dict__, "name": "dead",
                                           "port": free_ports(1)[0]})
    executor = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False, connect_timeout=5))
    try:
        await executor.warm([dead])
        results = await asyncio.gather(*(executor.run(dead, UPTIME) for _ in range(3)))
        assert [r.outcome for r in results] == [HostOutcome.UNREACHABLE] * 3
        assert "injoignable" in results[0].message
        assert executor.connects == 1  # one attempt, its failure handed to every caller waiting on it
        assert executor.pooled_connections(dead) == 0
    finally:
        await executor.close()


async def test_closing_the_executor_during_a_warm_up_leaves_no_connection(fleet: Fleet) -> None:
    executor = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False, connect_timeout=5))
    servers = fleet.servers()
    await executor.warm(servers)
    await executor.close()
    assert all(executor.pooled_connections(s) == 0 for s in servers)
