"""The parser a user talks to: built over the servers they may read, one per distinct inventory, a few kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.inventory import Inventory
from chatops_commander.nlu import Parser
from chatops_commander.services import access
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory, RunbookSource
from chatops_commander.services.principal import Principal

PARSERS_KEPT = 16  # parsers kept, one per distinct inventory users see (admins share one, teams a few)
ParserFactory = Callable[[Sequence[ActionSpec], Inventory], Parser]


class Parsers:
    def __init__(self, uow: ChatUnitOfWorkFactory, specs: Sequence[ActionSpec], *,
                 runbooks: RunbookSource | None = None, factory: ParserFactory | None = None) -> None:
        self.uow, self.specs, self.runbooks = uow, tuple(specs), runbooks
        self.factory: ParserFactory = factory or (lambda catalog, inventory: Parser(catalog, inventory))
        self._kept: dict[tuple[Any, ...], Parser] = {}

    async def for_principal(self, principal: Principal) -> Parser:
        """The parser over the servers `principal` may read: a server they may not read does not exist for
        them (never matched, suggested or counted in "all servers"; a fleet answer says how many were left out)."""
        async with self.uow() as uow:
            servers = await uow.servers.list()
        servers = (await access.fleet_view(self.uow, principal, servers)).servers
        inventory = Inventory.from_servers(servers)
        known = set(inventory.names)
        extra = {env: tuple(h for h in hosts if h in known)
                 for env, hosts in (self.runbooks.environments() if self.runbooks else {}).items()
                 if env not in inventory.groups}  # a runbook's environment names hosts; tags keep their meaning
        if extra:
            inventory = Inventory(inventory.servers, {**inventory.groups, **{k: v for k, v in extra.items() if v}})
        key = (tuple((s.name, s.tags, s.services) for s in servers), tuple(sorted(extra.items())))
        parser = self._kept.get(key)
        if parser is None:
            if len(self._kept) >= PARSERS_KEPT:
                self._kept.pop(next(iter(self._kept)))  # the oldest inventory
            parser = self._kept[key] = self.factory(self.specs, inventory)
        return parser
