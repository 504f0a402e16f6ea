"""Slack in Socket Mode, end to end: the real slack_bolt bot, the local Slack speaking the wire format, the
platform door, the chat engine and the database. The seed's scenarios and the refusals."""

from __future__ import annotations

import asyncio
import time

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import audit
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.records import ChannelPolicy
from tests.e2e.conftest import add_user, client_for, login
from tests.e2e.platforms.slack.conftest import SlackWorld, slack_world
from tests.e2e.platforms.slack.fake_slack import click, direct, mention, slash


async def test_an_unlinked_user_is_told_how_to_link_and_nothing_runs(world: SlackWorld) -> None:
    await world.slack.push("events_api", mention("U-stranger", "restart nginx on web-01"))
    [post] = await world.slack.wait_posts(1)
    assert "I run nothing for you" in post.text and post.channel == "C-ops"
    assert world.fleet.sent("web-01") == []


async def test_the_link_flow_from_a_slash_command_to_the_web_page(world: SlackWorld) -> None:
    alice = await add_user(world.container, "alice@example.com", Role.OPERATOR)
    ack = await world.slack.push("slash_commands", slash("U-alice", "link"))
    assert ack["envelope_id"]
    [offer] = await world.slack.wait_posts(1)
    assert "/link/" in offer.text and offer.only_for == "U-alice"  # never shown to the channel
    path = "/link/" + offer.text.split("/link/")[1].split()[0]
    async with client_for(world.container) as browser:
        await login(browser, alice.email)
        done = await browser.post(path, headers={"HX-Request": "true", "X-CSRF-Token": browser.cookies["cc_csrf"]})
        assert done.status_code == 200, done.text
    await world.slack.push("events_api", direct("U-alice", "hello"))
    [_, hello] = await world.slack.wait_posts(2)
    assert "I run nothing" not in hello.text and hello.channel == "D-alice"


async def test_morning_check_answers_in_the_thread_of_the_mention(world: SlackWorld) -> None:
    await world.linked("U-alice", Role.ADMIN, "alice@example.com")
    event = mention("U-alice", "Bonjour, tout va bien ?")
    await world.slack.push("events_api", event)
    [post] = await world.slack.wait_posts(1)
    assert "3/3 serveurs opérationnels" in post.text
    assert post.thread_ts == event["event"]["ts"]  # a thread per conversation


async def test_restart_with_the_confirm_button_runs_once_and_a_replayed_click_is_refused(world: SlackWorld) -> None:
    await world.linked("U-alice", Role.OPERATOR, "alice@example.com")
    await world.slack.push("events_api", mention("U-alice", "restart nginx on web-01"))
    [card] = await world.slack.wait_posts(1)
    assert set(card.buttons()) == {"Confirm", "Cancel"} and world.fleet.sent("web-01") == []
    await world.slack.push("interactive", click("U-alice", card, "Confirm"))
    [_, result] = await world.slack.wait_posts(2)
    assert any("restart" in line for line in world.fleet.sent("web-01"))
    assert "web-01" in result.all_text and result.thread_ts == card.thread_ts
    await world.slack.push("interactive", click("U-alice", card, "Confirm"))
    [*_, replay] = await world.slack.wait_posts(3)
    assert "used already" in replay.text
    assert sum("restart" in line for line in world.fleet.sent("web-01")) == 1
    async with world.container.uow() as uow:
        rows = await uow.commands.list(limit=50)
    assert {r.door for r in rows if r.action == "service.restart"} == {"slack"}
    executed = [e for e in await audit.events(world.container.uow) if e.action is AuditAction.COMMAND_EXECUTED]
    assert {e.details.get("doorDetail") for e in executed} == {"slack:T1:U-alice"}  # who, in the chat platform


async def test_deploy_waits_for_a_second_linked_person_in_the_approvers_channel(world: SlackWorld) -> None:
    await world.linked("U-op", Role.OPERATOR, "deployer@example.com")
    await world.linked("U-boss", Role.ADMIN, "boss@example.com")
    await world.slack.push("events_api", mention("U-op", "deploy v2.5.0 to production"))
    waiting, card = await world.slack.wait_posts(2)
    assert waiting.channel == "C-ops" and card.channel == "C-approvers"
    assert set(card.buttons()) == {"Approve", "Reject"} and "deployer@example.com" in card.all_text
    await world.slack.push("interactive", click("U-op", card, "Approve"))
    [*_, own] = await world.slack.wait_posts(3)
    assert "your own request" in own.text and world.fleet.sent("web-01") == []
    await world.slack.push("interactive", click("U-boss", card, "Approve"))
    posts = await world.slack.wait_posts(5)
    decided, result = posts[3], posts[4]
    assert decided.channel == "C-approvers" and "Approved by boss@example.com" in decided.text
    assert result.channel == "C-ops" and result.text.startswith("<@U-op>") and "Step 1/3" in result.all_text
    assert any("install-shop" in line for line in world.fleet.sent("web-01"))


async def test_a_forged_button_value_is_refused(world: SlackWorld) -> None:
    await world.linked("U-alice", Role.OPERATOR, "alice@example.com")
    await world.slack.push("events_api", mention("U-alice", "restart nginx on web-01"))
    [card] = await world.slack.wait_posts(1)
    forged = click("U-alice", card, "Confirm")
    value = forged["actions"][0]["value"]
    forged["actions"][0]["value"] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    await world.slack.push("interactive", forged)
    [_, refused] = await world.slack.wait_posts(2)
    assert "not issued by me" in refused.text and world.fleet.sent("web-01") == []


async def test_the_channel_policy_is_enforced(world: SlackWorld) -> None:
    await world.linked("U-alice", Role.ADMIN, "alice@example.com")
    await bootstrap_platforms.platform_store(world.container).set_policy(
        ChannelPolicy(Platform.SLACK, "C-web", ("server.*", "service.*"), ("web",), Risk.MEDIUM))
    await world.slack.push("events_api", mention("U-alice", "restart postgresql on db-master", channel="C-web"))
    [refused] = await world.slack.wait_posts(1)
    assert "This channel does not allow db-master" in refused.text and world.fleet.sent("db-master") == []
    await world.slack.push("events_api", mention("U-alice", "help", channel="C-web"))
    [_, helped] = await world.slack.wait_posts(2)
    assert "`service.restart`" in helped.text and "`server.reboot`" not in helped.text


async def test_an_event_slack_delivers_twice_is_handled_once(world: SlackWorld) -> None:
    await world.linked("U-alice", Role.ADMIN, "alice@example.com")
    event = mention("U-alice", "hello", event_id="Ev-dup")
    await world.slack.push("events_api", event)
    await world.slack.push("events_api", event)
    await world.slack.push("events_api", mention("U-alice", "thanks"))
    posts = await world.slack.wait_posts(2)
    assert len(posts) == 2


async def test_a_slack_outage_is_retried_with_backoff_and_the_bot_serves_once_slack_is_back(
        container: bootstrap.Container) -> None:
    w, task = await slack_world(container, outage=True)
    try:
        deadline = time.monotonic() + 15
        while w.slack.calls.count("apps.connections.open") < 3:  # refused, retried, refused again…
            assert time.monotonic() < deadline and not task.done()
            await asyncio.sleep(0.02)
        w.slack.refuse_connections = False
        await w.linked("U-alice", Role.ADMIN, "alice@example.com")
        await w.slack.push("events_api", mention("U-alice", "hello"))
        [post] = await w.slack.wait_posts(1)
        assert post.text
    finally:
        w.stop.set()
        await asyncio.wait_for(task, timeout=15)
        await w.slack.stop()
