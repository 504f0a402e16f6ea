"""A Teams world: our Teams bot (Microsoft's Teams SDK) against the local Teams (`fake_teams.py`: the Bot Framework
connector, Entra ID behind an HTTPS proxy), the platform door over the real database and the real chat engine,
pipeline and parser; the hosts are the shipped scripted fleet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.adapters.platforms.teams.bot import TeamsBot, TeamsConfig
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.services.fakes import FakeFleet
from chatops_commander.services.platforms.contract import Platform
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2
from tests.e2e.platforms.teams.fake_teams import APP_ID, APP_PASSWORD, APPROVERS, TENANT, FakeTeams
from tests.e2e.platforms.world import fleet_and_chat, link_person


@dataclass
class TeamsWorld:
    container: bootstrap.Container
    teams: FakeTeams
    fleet: FakeFleet
    bot: TeamsBot

    async def linked(self, chat_user: str, role: Role, email: str) -> None:
        await link_person(self.container, self.fleet, role, email, platform=Platform.TEAMS, chat_user=chat_user,
                          workspace=TENANT, display_name=chat_user)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, **CHEAP_ARGON2)


@pytest.fixture
def fake_teams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTeams:
    teams = FakeTeams(tmp_path)
    teams.start()
    for name, value in teams.environment().items():
        monkeypatch.setenv(name, value)
    yield teams  # type: ignore[misc]
    teams.stop()


async def until_listening(bot: TeamsBot, timeout_s: float = 15.0) -> int:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while bot.port is None:
        assert asyncio.get_running_loop().time() < deadline, "the Teams bot did not start listening"
        await asyncio.sleep(0.01)
    return bot.port


@pytest.fixture
async def world(container: bootstrap.Container, fake_teams: FakeTeams) -> AsyncIterator[TeamsWorld]:
    fleet, chat = await fleet_and_chat(container)
    ps = bootstrap_platforms.PlatformSettings(  # type: ignore[call-arg]
        _env_file=None, teams_approvers_channel=APPROVERS, chat_rate_limit="1000/minute")
    door = bootstrap_platforms.platform_door(container, chat, ps)
    bot = TeamsBot(door, TeamsConfig(app_id=APP_ID, app_password=APP_PASSWORD, tenant_id=TENANT, port=0,
                                     openid_metadata_url=fake_teams.openid_metadata_url,
                                     service_url=fake_teams.service_url.rstrip("/")))
    stop = asyncio.Event()
    task = asyncio.create_task(bootstrap_platforms.keep_running(bot, stop, first_s=0.05, max_s=0.2))
    try:
        port = await until_listening(bot)
        fake_teams.bot_url = f"http://127.0.0.1:{port}/api/messages"
        yield TeamsWorld(container, fake_teams, fleet, bot)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
