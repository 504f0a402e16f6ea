"""The chat every platform test talks to: three fake servers (web-01, web-02, db-master), the seed's shop runbook
without its backup step (the pre-check question is covered by the seed scenarios: a deploy goes to approval)."""

from __future__ import annotations

from chatops_commander import bootstrap
from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.servers import Server
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import FakeFleet, FakeHost, InMemoryRunbooks
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills
from tests.unit.pipeline.test_seed_scenarios import RUNBOOK


async def fleet_and_chat(container: bootstrap.Container) -> tuple[FakeFleet, ChatService]:
    fleet = FakeFleet()
    for name, services, tags in (("web-01", {"nginx": True}, ("web", "production")),
                                 ("web-02", {"nginx": True}, ("web", "production")),
                                 ("db-master", {"postgresql": True}, ("db",))):
        async with container.uow() as uow:
            await uow.servers.add(Server(name, name, "192.0.2.1", tags=tags, services=tuple(services)))
            await uow.commit()
        fleet.add(FakeHost(name, services=dict(services)))
    registry = Registry(builtin_skills())
    runbooks = InMemoryRunbooks()
    runbooks.books.append(parse_runbook({**RUNBOOK, "steps": [s for s in RUNBOOK["steps"] if s["kind"] != "backup"]}))
    chat = ChatService(container.uow, FanOut(fleet, registry), catalog_specs(registry),  # type: ignore[arg-type]
                       clock=container.security, hub=container.chat_hub, runbooks=runbooks)
    return fleet, chat
