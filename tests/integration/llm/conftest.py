from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from tests.integration.llm.llm_wire_server import WireServer


@pytest.fixture
def wire() -> Iterator[WireServer]:
    server = WireServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inventory() -> Inventory:
    def srv(name: str, ip: str, services: tuple[str, ...], tags: tuple[str, ...]) -> Server:
        return Server(name=name, hostname=name, ip_address=ip, services=services, tags=tags)

    return Inventory.from_servers([
        srv("web-01", "10.0.0.11", ("nginx", "node-app"), ("web", "production")),
        srv("web-02", "10.0.0.12", ("nginx", "node-app"), ("web", "production")),
        srv("db-master", "10.0.0.21", ("postgresql",), ("db", "production")),
        srv("staging-01", "10.0.1.11", ("nginx", "redis"), ("staging",)),
    ])
