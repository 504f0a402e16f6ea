"""A Mattermost world: our Mattermost bot against the local Mattermost (`fake_mattermost.py`), the platform door
over the real database and the real chat engine, pipeline and parser; the hosts are the shipped scripted fleet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.adapters.platforms.mattermost.bot import MattermostBot, MattermostConfig
from chatops_commander.config import Settings
from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.services import users as user_service
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import FakeFleet, FakeHost, InMemoryRunbooks
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.records import ChatIdentity
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, TEST_CLI, add_user
from tests.e2e.platforms.mattermost.fake_mattermost import TOKEN, FakeMattermost
from tests.unit.pipeline.test_seed_scenarios import RUNBOOK


@dataclass
class MmWorld:
    container: bootstrap.Container
    mm: FakeMattermost
    fleet: FakeFleet
    bot: MattermostBot

    async def linked(self, chat_user: str, role: Role, email: str) -> None:
        user = await add_user(self.container, email, role)
        assert user.id is not None
        for name in self.fleet.hosts:
            await user_service.set_permission(self.container.uow, TEST_CLI, user.id, name,
                                              ServerPermission(can_read=True, can_execute=True))
        await bootstrap_platforms.platform_store(self.container).link(
            ChatIdentity(Platform.MATTERMOST, chat_user, user.id, "team1", chat_user))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, **CHEAP_ARGON2)


@pytest.fixture
async def world(container: bootstrap.Container) -> AsyncIterator[MmWorld]:
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
    # without the backup step: no pre-check question (covered by the seed scenarios), the deploy goes to approval
    runbooks.books.append(parse_runbook({**RUNBOOK, "steps": [s for s in RUNBOOK["steps"] if s["kind"] != "backup"]}))
    chat = ChatService(container.uow, FanOut(fleet, registry), catalog_specs(registry),  # type: ignore[arg-type]
                       clock=container.security, hub=container.chat_hub, runbooks=runbooks)
    ps = bootstrap_platforms.PlatformSettings(  # type: ignore[call-arg]
        _env_file=None, mattermost_approvers_channel="approvers-channel", chat_rate_limit="1000/minute")
    door = bootstrap_platforms.platform_door(container, chat, ps)
    mm = FakeMattermost()
    await mm.start()
    bot = MattermostBot(door, MattermostConfig(url=mm.url, token=TOKEN, callback_port=0,
                                               action_token=bootstrap_platforms.action_token(container, "mattermost")))
    stop = asyncio.Event()
    task = asyncio.create_task(bootstrap_platforms.keep_running(bot, stop, first_s=0.05, max_s=0.2))
    try:
        await mm.connected()
        yield MmWorld(container, mm, fleet, bot)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
        await mm.stop()
