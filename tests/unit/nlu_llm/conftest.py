from __future__ import annotations

import pytest

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server


@pytest.fixture
def inventory() -> Inventory:
    def srv(name: str, services: tuple[str, ...], tags: tuple[str, ...]) -> Server:
        return Server(name=name, hostname=name, ip_address="10.0.0.1", services=services, tags=tags)

    return Inventory.from_servers([
        srv("web-01", ("nginx",), ("web", "production")),
        srv("web-02", ("nginx",), ("web", "production")),
        srv("db-master", ("postgresql",), ("db", "production")),
        srv("cache-01", ("redis",), ("staging",)),
    ])
