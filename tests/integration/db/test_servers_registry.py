from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from chatops_commander import bootstrap
from chatops_commander.domain.errors import Conflict, NotFound, ValidationFailed
from chatops_commander.domain.servers import LOCALHOST, Connection, Server
from chatops_commander.services import servers as service
from chatops_commander.services.principal import Principal

ADMIN = Principal.cli("pytest")
WEB = Server(name="web-01", hostname="web-01.example.com", ip_address="10.0.0.11", ssh_user="deploy",
             tags=("web", "production"), services=("nginx",))


class TestServerRegistry:
    """Runs on SQLite and PostgreSQL."""

    async def test_add_then_read_back_every_field(self, container: bootstrap.Container) -> None:
        created = await service.add_server(container.uow, ADMIN, WEB)
        again = await service.get_server(container.uow, ADMIN, "WEB-01")
        assert again == created
        assert (again.ip_address, again.tags, again.services) == ("10.0.0.11", ("web", "production"), ("nginx",))
        assert again.created_at is not None and again.created_at.tzinfo is not None

    async def test_duplicate_name_is_a_conflict_and_writes_nothing(self, container: bootstrap.Container) -> None:
        await service.add_server(container.uow, ADMIN, WEB)
        before = await service.list_servers(container.uow, ADMIN)
        with pytest.raises(Conflict):
            await service.add_server(container.uow, ADMIN, dataclasses.replace(WEB, ip_address="10.0.0.99"))
        assert await service.list_servers(container.uow, ADMIN) == before

    async def test_invalid_server_is_refused(self, container: bootstrap.Container) -> None:
        with pytest.raises(ValidationFailed) as info:
            await service.add_server(container.uow, ADMIN, dataclasses.replace(WEB, port=70000, hostname="a b"))
        assert {f for f, _ in info.value.problems} == {"port", "hostname"}

    async def test_update_and_remove(self, container: bootstrap.Container) -> None:
        created = await service.add_server(container.uow, ADMIN, WEB)
        assert created.id is not None
        updated = await service.update_server(container.uow, ADMIN, created.id, port=2222, tags=("web",))
        assert (updated.port, updated.tags) == (2222, ("web",))
        await service.remove_server(container.uow, ADMIN, "web-01")
        with pytest.raises(NotFound):
            await service.get_server(container.uow, ADMIN, "web-01")

    async def test_filter_by_tag(self, container: bootstrap.Container) -> None:
        await service.add_server(container.uow, ADMIN, WEB)
        await service.add_server(container.uow, ADMIN, dataclasses.replace(WEB, name="db-01", tags=("db",)))
        assert [s.name for s in await service.list_servers(container.uow, ADMIN, tag="db")] == ["db-01"]

    async def test_embedded_mode_registers_this_machine(self, container: bootstrap.Container) -> None:
        names = [s.name for s in await service.list_servers(container.uow, ADMIN)]
        if container.settings.is_embedded:
            local = await service.get_server(container.uow, ADMIN, LOCALHOST)
            assert local.connection is Connection.LOCAL
        else:
            assert LOCALHOST not in names


class TestInventoryImport:
    INVENTORY = "[web]\nweb-01 ansible_host=10.0.0.11 services=nginx\nweb-02 ansible_host=10.0.0.12\n"

    async def test_importing_twice_updates_instead_of_duplicating(
        self, container: bootstrap.Container, tmp_path: Path,
    ) -> None:
        path = tmp_path / "hosts"
        path.write_text(self.INVENTORY)
        first = await service.import_servers(container.uow, ADMIN, bootstrap.read_inventory(path))
        assert sorted(first.created) == ["web-01", "web-02"]
        path.write_text(self.INVENTORY.replace("10.0.0.12", "10.0.0.42"))
        second = await service.import_servers(container.uow, ADMIN, bootstrap.read_inventory(path))
        assert (second.created, sorted(second.updated)) == ((), ["web-01", "web-02"])
        assert (await service.get_server(container.uow, ADMIN, "web-02")).ip_address == "10.0.0.42"

    async def test_one_bad_host_imports_nothing(self, container: bootstrap.Container) -> None:
        before = await service.list_servers(container.uow, ADMIN)
        drafts = [dataclasses.replace(WEB, name="ok-01"),
                  dataclasses.replace(WEB, name="nowhere", hostname="nowhere.invalid", ip_address="")]
        with pytest.raises(ValidationFailed) as info:
            await service.import_servers(container.uow, ADMIN, drafts, resolver=lambda _h: None)
        assert info.value.problems[0][0] == "nowhere"
        assert await service.list_servers(container.uow, ADMIN) == before
