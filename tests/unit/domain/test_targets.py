from __future__ import annotations

import pytest

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.domain.targets import resolve_targets


def server(name: str, *tags: str) -> Server:
    return Server(name=name, hostname=name, ip_address="10.0.0.1", tags=tags)


INVENTORY = Inventory.from_servers([server("web-01", "web", "production"), server("web-02", "web"),
                                    server("db-master", "db", "production")])


class TestResolveTargets:
    def test_names_groups_and_all(self) -> None:
        assert [s.name for s in resolve_targets("WEB-01", INVENTORY)] == ["web-01"]
        assert [s.name for s in resolve_targets("production", INVENTORY)] == ["web-01", "db-master"]
        assert [s.name for s in resolve_targets("web,db-master", INVENTORY)] == ["web-01", "web-02", "db-master"]
        assert len(resolve_targets("all", INVENTORY)) == 3

    def test_unknown_words_are_all_named(self) -> None:
        with pytest.raises(ValidationFailed) as info:
            resolve_targets("web-01,nope,;rm", INVENTORY)
        assert [p for _, p in info.value.problems] == [
            "'nope' is neither a server nor a group/tag", "';rm' is neither a server nor a group/tag"]

    def test_empty_expression_is_refused(self) -> None:
        with pytest.raises(ValidationFailed):
            resolve_targets(" , ", INVENTORY)
