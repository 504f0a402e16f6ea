"""An inventory: servers plus named groups (registry or Ansible inventory)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatops_commander.domain.servers import Server


@dataclass(frozen=True)
class Inventory:
    servers: tuple[Server, ...] = ()
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group/tag → server names

    def by_name(self, name: str) -> Server | None:
        return next((s for s in self.servers if s.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.servers)

    @classmethod
    def from_servers(cls, servers: tuple[Server, ...] | list[Server]) -> Inventory:
        """Groups derived from tags (a tag is a group, ACTIONS.md)."""
        groups: dict[str, list[str]] = {}
        for s in servers:
            for tag in s.tags:
                groups.setdefault(tag, []).append(s.name)
        return cls(tuple(servers), {k: tuple(v) for k, v in groups.items()})
