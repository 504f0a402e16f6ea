"""The composition root: the one place that builds concrete adapters and wires them.

`prepare_database()` is blocking (Alembic) and runs before the event loop or in a thread;
`build()` creates the engine and the ports; `Container.aclose()` releases them.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from chatops_commander.adapters.db import migrate
from chatops_commander.adapters.db.engine import create_engine, session_factory
from chatops_commander.adapters.db.unit_of_work import SqlDatabaseProbe, SqlUnitOfWorkFactory
from chatops_commander.adapters.inventory import InventoryError, load_inventory, read_hosts
from chatops_commander.config import Settings, ensure_embedded_secrets
from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.services import servers as server_service
from chatops_commander.services.ports import DatabaseProbe, UnitOfWorkFactory
from chatops_commander.skills.catalog import catalog_specs as specs_of
from chatops_commander.skills.registry import Registry, load_registry

__all__ = [
    "Container", "InventoryError", "build", "load_inventory", "os_user", "prepare_database", "read_inventory",
]


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    db_probe: DatabaseProbe
    closed: bool = field(default=False)

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            await self.engine.dispose()


def prepare_database(settings: Settings) -> Settings:
    """Generate embedded secrets and migrate the database to the latest revision."""
    settings = ensure_embedded_secrets(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    return settings


def database_revision(settings: Settings) -> str | None:
    return migrate.current_revision(settings.effective_database_url)


def latest_revision() -> str | None:
    return migrate.head_revision()


async def build(settings: Settings) -> Container:
    engine = create_engine(settings.effective_database_url)
    sessions = session_factory(engine)
    container = Container(settings=settings, engine=engine, uow=SqlUnitOfWorkFactory(sessions),
                          db_probe=SqlDatabaseProbe(engine))
    if settings.register_localhost and settings.is_embedded:
        await server_service.ensure_localhost(container.uow, ssh_user=os_user())
    return container


def read_inventory(path: Path, fmt: str | None = None) -> list[Server]:
    """Server drafts from an Ansible inventory or an ssh config (raises InventoryError)."""
    return [draft.to_server() for draft in read_hosts(path, fmt)]


def inventory_from_file(path: Path) -> Inventory:
    return load_inventory(path)


def load_catalog(settings: Settings) -> Registry:
    """Built-in actions plus packs from `CHATOPS_PACKS_PATH` and the `chatops.packs` entry points."""
    return load_registry(settings.packs_path)


def catalog_specs(settings: Settings) -> tuple[ActionSpec, ...]:
    return specs_of(load_catalog(settings))
