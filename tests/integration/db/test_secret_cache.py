"""Servers' SSH secrets for a fan-out: one database read for a burst of connections, a change seen after the TTL."""

from __future__ import annotations

import asyncio

from chatops_commander import bootstrap
from chatops_commander.domain.servers import Server
from chatops_commander.services import servers as server_service
from chatops_commander.services.principal import Principal
from chatops_commander.services.secret_cache import ServerSecretCache

ADMIN = Principal.cli("pytest")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_of_lookups_reads_the_database_once_and_decrypts_each_secret(
    container: bootstrap.Container,
) -> None:
    names = [f"web-{i:02d}" for i in range(20)]
    async with container.uow() as uow:
        for name in names:
            await uow.servers.add(Server(name=name, hostname=name, ip_address="10.0.0.1"))
        await uow.commit()
    await server_service.set_server_secret(container.uow, container.security, ADMIN, "web-03", kind="password",
                                           value="s3cret")
    async with container.uow() as uow:
        servers = {s.name: s for s in await uow.servers.list()}
    clock = Clock()
    cache = ServerSecretCache(container.uow, container.security, ttl_s=5, clock=clock)
    found = await asyncio.gather(*(cache.get(servers[n].id) for n in names))  # type: ignore[arg-type]
    assert cache.loads == 1
    assert found[3] == ("password", "s3cret") and found.count(None) == 19
    await server_service.set_server_secret(container.uow, container.security, ADMIN, "web-03", kind="password",
                                           value="changed")
    assert await cache.get(servers["web-03"].id) == ("password", "s3cret")  # type: ignore[arg-type]
    clock.now = 6.0
    assert await cache.get(servers["web-03"].id) == ("password", "changed")  # type: ignore[arg-type]
    assert cache.loads == 2
