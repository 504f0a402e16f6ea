"""`chatops servers test all` on the real fleet: bounded like the fan-out, one result per server."""

from __future__ import annotations

import pytest

from chatops_commander import bootstrap
from chatops_commander.adapters.executors.ssh import SSHExecutor
from chatops_commander.services import servers as server_service
from chatops_commander.services.principal import Principal
from tests.fleet import Fleet

pytestmark = pytest.mark.fleet
ADMIN = Principal.cli("pytest")


async def test_testing_every_server_never_has_more_than_the_bound_in_flight_and_answers_for_each(
    fleet: Fleet, fleet_executor: SSHExecutor, container: bootstrap.Container
) -> None:
    servers = fleet.servers()
    assert len(servers) > 2
    for server in servers:
        await server_service.add_server(container.uow, ADMIN, server)

    checks = [c async for c in server_service.check_connections(
        container.uow, fleet_executor, ADMIN, [s.name for s in servers], concurrency=2)]

    assert sorted(c.server for c in checks) == sorted(s.name for s in servers)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert fleet_executor.peak_running == 2  # reached, never passed
    assert fleet_executor.running == 0


async def test_the_bound_of_one_tests_servers_one_after_the_other(
    fleet: Fleet, fleet_executor: SSHExecutor, container: bootstrap.Container
) -> None:
    servers = fleet.servers()[:3]
    for server in servers:
        await server_service.add_server(container.uow, ADMIN, server)
    checks = [c async for c in server_service.check_connections(
        container.uow, fleet_executor, ADMIN, [s.name for s in servers], concurrency=1)]
    assert len(checks) == 3 and fleet_executor.peak_running == 1
