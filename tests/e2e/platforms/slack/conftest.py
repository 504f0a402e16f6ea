"""A Slack world: the real slack_bolt/slack_sdk bot against the local wire-format Slack (`fake_slack.py`), the
platform door over the real database (SQLite; PostgreSQL in CI) and the real chat engine, pipeline and parser;
the hosts are the shipped scripted fleet (`services/fakes`), so a restart is recorded, never run here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.adapters.platforms.slack.bot import SlackBot, SlackConfig
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.services.fakes import FakeFleet
from chatops_commander.services.platforms.contract import Platform
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2
from tests.e2e.platforms.slack.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.e2e.platforms.world import fleet_and_chat, link_person


@dataclass
class SlackWorld:
    container: bootstrap.Container
    slack: FakeSlack
    fleet: FakeFleet
    bot: SlackBot
    stop: asyncio.Event

    async def linked(self, chat_user: str, role: Role, email: str, *, execute: bool = True) -> None:
        await link_person(self.container, self.fleet, role, email, platform=Platform.SLACK, chat_user=chat_user,
                          workspace="T1", display_name=chat_user.lower(), execute=execute)


async def slack_world(container: bootstrap.Container, *, mode: str = "socket", approvers: str | None = "C-approvers",
                      outage: bool = False) -> tuple[SlackWorld, asyncio.Task[None]]:
    fleet, chat = await fleet_and_chat(container)
    ps = bootstrap_platforms.PlatformSettings(_env_file=None, slack_approvers_channel=approvers,  # type: ignore[call-arg]
                                              chat_rate_limit="1000/minute")
    door = bootstrap_platforms.platform_door(container, chat, ps)
    slack = FakeSlack(refuse_connections=outage)
    await slack.start()
    bot = SlackBot(door, SlackConfig(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SIGNING_SECRET,
                                     mode=mode, http_port=0, api_url=slack.api_url))  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(bootstrap_platforms.keep_running(bot, stop, first_s=0.05, max_s=0.2))
    return SlackWorld(container, slack, fleet, bot, stop), task


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, **CHEAP_ARGON2)


@pytest.fixture
async def world(container: bootstrap.Container) -> AsyncIterator[SlackWorld]:
    w, task = await slack_world(container)
    try:
        await w.slack.connected()
        yield w
    finally:
        w.stop.set()
        await asyncio.wait_for(task, timeout=15)
        await w.slack.stop()

