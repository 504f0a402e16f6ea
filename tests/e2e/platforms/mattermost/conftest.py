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
from chatops_commander.domain.roles import Role
from chatops_commander.services.fakes import FakeFleet
from chatops_commander.services.platforms.contract import Platform
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2
from tests.e2e.platforms.mattermost.fake_mattermost import TOKEN, FakeMattermost
from tests.e2e.platforms.world import fleet_and_chat, link_person


@dataclass
class MmWorld:
    container: bootstrap.Container
    mm: FakeMattermost
    fleet: FakeFleet
    bot: MattermostBot

    async def linked(self, chat_user: str, role: Role, email: str) -> None:
        await link_person(self.container, self.fleet, role, email, platform=Platform.MATTERMOST, chat_user=chat_user,
                          workspace="team1", display_name=chat_user)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, **CHEAP_ARGON2)


@pytest.fixture
async def world(container: bootstrap.Container) -> AsyncIterator[MmWorld]:
    fleet, chat = await fleet_and_chat(container)
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
