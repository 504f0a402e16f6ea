"""Chat platforms: what an adapter and the platform door add on top of the chat turn itself.

50 linked users write in one channel, against the tests' local server of the platform (loopback):
- Slack: the real slack_bolt bot in Socket Mode against the local wire-format Slack (WebSocket + Web API);
- Mattermost: our Mattermost bot against the local Mattermost (`posted` events on its WebSocket, REST v4 posts);
- Teams: our bot on Microsoft's Teams SDK against the local Bot Framework connector and Entra ID (JWT per activity).
For each message: the round trip (the user's message sent → the bot's post received by the server) and the turn
(`ChatService.handle_message`, timed where the door calls it); the difference is the adapter's overhead (the
platform's frame, its dispatch, the door's link lookup, rendering to the platform's
format, the post over HTTP). Hosts are the shipped scripted fleet. (Matrix, on a real Synapse: bench/matrix.py.)

    .venv/bin/python -m bench.platforms --write bench/RESULTS.md                          # Slack
    .venv/bin/python -m bench.platforms --platform mattermost --write bench/RESULTS.md    # Mattermost
    .venv/bin/python -m bench.platforms --platform teams --write bench/RESULTS.md         # Microsoft Teams
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tests.e2e.platforms.mattermost import fake_mattermost
from tests.e2e.platforms.mattermost.fake_mattermost import FakeMattermost
from tests.e2e.platforms.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, mention
from tests.e2e.platforms.teams import fake_teams
from tests.e2e.platforms.teams.fake_teams import FakeTeams

from bench.results import pct, record
from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.adapters.platforms.mattermost.bot import MattermostBot, MattermostConfig
from chatops_commander.adapters.platforms.slack.bot import SlackBot, SlackConfig
from chatops_commander.adapters.platforms.teams.bot import TeamsBot, TeamsConfig
from chatops_commander.bootstrap_platforms import Runnable
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.servers import Server
from chatops_commander.services import users as user_service
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import FakeFleet, FakeHost
from chatops_commander.services.platforms.contract import Platform, PlatformDoor
from chatops_commander.services.platforms.records import ChatIdentity
from chatops_commander.services.principal import Principal
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills

USERS = 50
TARGET_P95_MS = 100.0
QUESTION = "is everything ok?"


@dataclass
class Wire:
    """One platform's local server and our bot on it: user `n` writes `QUESTION` to the bot in one channel."""

    bot: Runnable
    connected: Callable[[], Awaitable[Any]]
    say: Callable[[int], Awaitable[Any]]
    posts: Callable[[], int]  # how many messages the bot has posted so far
    wait_posts: Callable[[int, float], Awaitable[Any]]
    stop: Callable[[], Awaitable[None]]


def user_id(platform: Platform, n: int) -> tuple[str, str]:
    """(user id, workspace) of linked user `n`."""
    if platform is Platform.TEAMS:
        return f"aad-{n:02d}", fake_teams.TENANT
    return (f"U{n:03d}", "T1") if platform is Platform.SLACK else (f"mmuser{n:02d}", fake_mattermost.TEAM)


async def slack_wire(door: PlatformDoor, container: bootstrap.Container) -> Wire:
    del container
    slack = FakeSlack()
    await slack.start()
    bot = SlackBot(door, SlackConfig(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=slack.api_url))
    return Wire(bot, slack.connected,
                lambda n: slack.push("events_api", mention(user_id(Platform.SLACK, n)[0], QUESTION, channel="C-bench")),
                lambda: len(slack.posts), lambda count, timeout_s: slack.wait_posts(count, timeout_s=timeout_s),
                slack.stop)


async def mattermost_wire(door: PlatformDoor, container: bootstrap.Container) -> Wire:
    mm = FakeMattermost()
    await mm.start()
    bot = MattermostBot(door, MattermostConfig(
        url=mm.url, token=fake_mattermost.TOKEN, callback_port=0,
        action_token=bootstrap_platforms.action_token(container, "mattermost")))

    async def say(n: int) -> None:
        name = user_id(Platform.MATTERMOST, n)[0]
        await mm.say(name, name, f"@chatops {QUESTION}", channel="bench-channel")
    return Wire(bot, mm.connected, say, lambda: len(mm.posts),
                lambda count, timeout_s: mm.wait_posts(count, timeout_s=timeout_s), mm.stop)


async def teams_wire(door: PlatformDoor, container: bootstrap.Container) -> Wire:
    del container
    teams = FakeTeams(Path(tempfile.mkdtemp(prefix="bench-teams-")))
    teams.start()
    os.environ.update(teams.environment())  # MSAL reaches the local Entra through the test proxy
    bot = TeamsBot(door, TeamsConfig(app_id=fake_teams.APP_ID, app_password=fake_teams.APP_PASSWORD,
                                     tenant_id=fake_teams.TENANT, port=0,
                                     openid_metadata_url=teams.openid_metadata_url,
                                     service_url=teams.service_url.rstrip("/")))

    async def connected() -> None:
        deadline = time.monotonic() + 30
        while bot.port is None:
            assert time.monotonic() < deadline, "the Teams bot did not start listening"
            await asyncio.sleep(0.01)
        teams.bot_url = f"http://127.0.0.1:{bot.port}/api/messages"

    async def say(n: int) -> None:
        response, _ = await teams.say(user_id(Platform.TEAMS, n)[0], f"User {n}", QUESTION,
                                      channel="19:bench@thread.tacv2")
        assert response.status_code == 200, response.text

    async def stop() -> None:
        teams.stop()
    return Wire(bot, connected, say, lambda: len(teams.posts),
                lambda count, timeout_s: teams.wait_posts(count, timeout_s=timeout_s), stop)


WIRES = {Platform.SLACK: slack_wire, Platform.MATTERMOST: mattermost_wire, Platform.TEAMS: teams_wire}


def prepared(data: Path) -> Settings:
    return bootstrap.prepare_database(Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=data, log_level="warning", register_localhost=False, monitoring_enabled=False,
        rate_limit_commands="1000000/minute", rate_limit_api="1000000/minute", password_time_cost=1,
        password_memory_kib=8192))


async def measure(settings: Settings, rounds: int, platform: Platform = Platform.SLACK) -> dict[str, Any]:
    container = await bootstrap.build(settings)
    fleet = FakeFleet()
    for name in ("web-01", "web-02", "db-master"):
        async with container.uow() as uow:
            await uow.servers.add(Server(name, name, "192.0.2.1", services=("nginx",)))
            await uow.commit()
        fleet.add(FakeHost(name, services={"nginx": True}))
    registry = Registry(builtin_skills())
    chat = ChatService(container.uow, FanOut(fleet, registry), catalog_specs(registry),  # type: ignore[arg-type]
                       clock=container.security, hub=container.chat_hub)
    turns: list[float] = []
    handle = chat.handle_message

    async def timed(principal: Principal, *args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await handle(principal, *args, **kw)
        finally:
            turns.append((time.perf_counter() - t0) * 1000)

    chat.handle_message = timed  # type: ignore[method-assign]
    store = bootstrap_platforms.platform_store(container)
    admin = Principal.cli("bench")
    for n in range(USERS):
        user = await user_service.create_user(container.uow, container.security, admin, email=f"u{n:02d}@example.com",
                                              name=f"u{n:02d}", role=Role.ADMIN, password="bench-Passw0rd-long!")
        assert user.id is not None
        chat_user, workspace = user_id(platform, n)
        await store.link(ChatIdentity(platform, chat_user, user.id, workspace))
    ps = bootstrap_platforms.PlatformSettings(_env_file=None, chat_rate_limit="1000000/minute")  # type: ignore[call-arg]
    door = bootstrap_platforms.platform_door(container, chat, ps)
    wire = await WIRES[platform](door, container)
    stop = asyncio.Event()
    task = asyncio.create_task(bootstrap_platforms.keep_running(wire.bot, stop))
    e2e: list[float] = []
    overhead: list[float] = []
    try:
        await wire.connected()
        for warm in range(5):  # parser, first connections
            await wire.say(warm)
            await wire.wait_posts(warm + 1, 20.0)
        for _ in range(rounds):
            for n in range(USERS):
                before, turns_before = wire.posts(), len(turns)
                t0 = time.perf_counter()
                await wire.say(n)
                await wire.wait_posts(before + 1, 20.0)
                total = (time.perf_counter() - t0) * 1000
                turn = sum(turns[turns_before:])
                e2e.append(total)
                overhead.append(total - turn)
        burst_before = wire.posts()
        t0 = time.perf_counter()
        await asyncio.gather(*(wire.say(n) for n in range(USERS)))
        await wire.wait_posts(burst_before + USERS, 120.0)
        burst_s = time.perf_counter() - t0
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
        await wire.stop()
        await container.aclose()
    turn_only = [e - o for e, o in zip(e2e, overhead, strict=True)]
    return {"n": len(e2e), "e2e": {"p50": pct(e2e, 50), "p95": pct(e2e, 95), "max": max(e2e)},
            "turn": {"p50": pct(turn_only, 50), "p95": pct(turn_only, 95)},
            "overhead": {"p50": pct(overhead, 50), "p95": pct(overhead, 95), "max": max(overhead)},
            "burst_s": burst_s, "load": os.getloadavg()[0], "platform": platform.value}


@dataclass(frozen=True)
class Setup:
    """How one platform is measured, as the report says it."""

    name: str
    how: str  # the bot and the local server
    sent: str  # what the round trip starts with
    received: str  # … and ends with
    covers: str  # what the overhead covers


SETUPS = {
    Platform.SLACK: Setup(
        "Slack", "the real slack_bolt bot in Socket Mode against the tests' local wire-format Slack on loopback",
        "envelope", "`chat.postMessage` received",
        "the Socket Mode frame and its ack, bolt's dispatch, the door's link lookup, the conversation lookup, "
        "rendering to Block Kit and the Web API post (HTTP on loopback)"),
    Platform.MATTERMOST: Setup(
        "Mattermost", "our Mattermost bot against the tests' local Mattermost on loopback "
        "(tests/e2e/platforms/mattermost/fake_mattermost.py: `posted` events on its WebSocket, REST v4 posts)",
        "`posted` event sent", "the bot's post received",
        "the WebSocket frame and its dispatch, the door's link lookup, the conversation lookup, rendering to a "
        "Mattermost post (markdown + attachment) and the REST post (HTTP on loopback)"),
    Platform.TEAMS: Setup(
        "Microsoft Teams", "our bot on Microsoft's Teams SDK against the tests' local Bot Framework connector and "
        "Entra ID on loopback (tests/e2e/platforms/teams/fake_teams.py)",
        "activity POSTed with its JWT", "the bot's activity received by the connector",
        "the HTTP request, the SDK's JWT validation (RS256 signature, issuer, audience, service URL), its "
        "routing, the door's link lookup, the conversation lookup, rendering to a Teams activity and the "
        "connector post with the bot's token (MSAL's cache, HTTP on loopback)"),
}


def report(r: dict[str, Any]) -> str:
    platform = Platform(r.get("platform", Platform.SLACK.value))
    setup = SETUPS[platform]
    o, e, t = r["overhead"], r["e2e"], r["turn"]
    verdict = "met" if o["p95"] < TARGET_P95_MS else "NOT met"
    flag = "" if platform is Platform.SLACK else f" --platform {platform.value}"
    return f"""
## Chat platforms: {setup.name} adapter overhead (bench/platforms.py) — {date.today().isoformat()}

Machine: 2 cores (x86_64, Debian 12; 1-minute load average at the end: {r['load']:.1f}), Python 3.11, embedded
SQLite. Command: `.venv/bin/python -m bench.platforms{flag} --write bench/RESULTS.md`. {USERS} linked users write
"{QUESTION}" in one channel, one after the other ({r['n']} messages), through {setup.how}; the hosts are the
shipped scripted fleet.

| figure | p50 | p95 | max | target |
| --- | --- | --- | --- | --- |
| adapter + door overhead (round trip − turn) | {o['p50']:.1f} ms | {o['p95']:.1f} ms | {o['max']:.1f} ms \
| p95 < {TARGET_P95_MS:.0f} ms ({verdict}) |
| round trip ({setup.sent} → {setup.received}) | {e['p50']:.1f} ms | {e['p95']:.1f} ms | {e['max']:.1f} ms | |
| the turn itself (`ChatService.handle_message`) | {t['p50']:.1f} ms | {t['p95']:.1f} ms | | |

Burst: the {USERS} users at once were all answered in {r['burst_s']:.2f} s. The overhead covers {setup.covers}.
The local server is lighter than the real platform: what is measured is our side.
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--platform", choices=[p.value for p in WIRES], default=Platform.SLACK.value)
    parser.add_argument("--write", type=Path)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(measure(prepared(Path(tmp) / "var"), ns.rounds, Platform(ns.platform)))
    text = report(result)
    print(text)
    print(json.dumps(result, indent=2))
    if ns.write:
        record(text, ns.write)


if __name__ == "__main__":
    main()
