from __future__ import annotations

import pytest

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

SERVERS = [
    Server("web-01", "web-01", "10.0.0.1", tags=("web", "production"), services=("nginx", "php-fpm")),
    Server("web-02", "web-02", "10.0.0.2", tags=("web", "production"), services=("nginx", "php-fpm")),
    Server("web-03", "web-03", "10.0.0.3", tags=("web", "staging"), services=("node-app", "redis")),
    Server("db-master", "db-master", "10.0.0.4", tags=("db", "production"), services=("postgresql",)),
    Server("db-replica", "db-replica", "10.0.0.5", tags=("db", "production"), services=("postgresql",)),
    Server("lb-01", "lb-01", "10.0.0.6", tags=("lb", "production"), services=("haproxy",)),
]
INVENTORY = Inventory.from_servers(SERVERS)
PARSER = Parser(BUILTIN_SPECS, INVENTORY)


@pytest.fixture
def parser() -> Parser:
    return PARSER
