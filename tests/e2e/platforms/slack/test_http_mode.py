"""Slack in HTTP Events mode: Slack POSTs to the bot; the signing secret and its timestamp are checked on every
request (a forged signature or a replayed old request is refused with 401 and nothing runs)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from chatops_commander import bootstrap
from chatops_commander.domain.roles import Role
from tests.e2e.platforms.slack.conftest import SlackWorld, slack_world
from tests.e2e.platforms.slack.fake_slack import click, form_body, mention, signed_headers


@pytest.fixture
async def http_world(container: bootstrap.Container) -> AsyncIterator[SlackWorld]:
    w, task = await slack_world(container, mode="http", approvers=None)
    deadline = time.monotonic() + 15
    while w.bot.port is None:
        assert time.monotonic() < deadline, "the HTTP endpoint never started"
        await asyncio.sleep(0.02)
    try:
        yield w
    finally:
        w.stop.set()
        await asyncio.wait_for(task, timeout=15)
        await w.slack.stop()


def url(w: SlackWorld) -> str:
    return f"http://127.0.0.1:{w.bot.port}/slack/events"


async def test_a_signed_event_is_handled_and_a_forged_or_stale_one_is_refused(http_world: SlackWorld) -> None:
    w = http_world
    await w.linked("U-alice", Role.OPERATOR, "alice@example.com")
    body = json.dumps(mention("U-alice", "restart nginx on web-01"))
    async with httpx.AsyncClient(timeout=20) as http:
        forged = await http.post(url(w), content=body, headers=signed_headers(body, secret="not-the-secret"))
        assert forged.status_code == 401
        stale = await http.post(url(w), content=body, headers=signed_headers(body, timestamp=int(time.time()) - 600))
        assert stale.status_code == 401
        assert w.slack.posts == []
        ok = await http.post(url(w), content=body, headers=signed_headers(body))
        assert ok.status_code == 200
        [card] = await w.slack.wait_posts(1)
        assert set(card.buttons()) == {"Confirm", "Cancel"}
        press = form_body(click("U-alice", card, "Confirm"))
        headers = {**signed_headers(press), "Content-Type": "application/x-www-form-urlencoded"}
        assert (await http.post(url(w), content=press, headers=headers)).status_code == 200
        await w.slack.wait_posts(2)
        assert any("restart" in line for line in w.fleet.sent("web-01"))
        replayed = await http.post(url(w), content=press, headers=headers)  # same signed request again
        assert replayed.status_code == 200
        [*_, refused] = await w.slack.wait_posts(3)
        assert "used already" in refused.text and sum("restart" in x for x in w.fleet.sent("web-01")) == 1


async def test_the_url_verification_challenge_is_answered(http_world: SlackWorld) -> None:
    body = json.dumps({"token": "legacy", "challenge": "abc123", "type": "url_verification"})
    async with httpx.AsyncClient() as http:
        answer = await http.post(url(http_world), content=body, headers=signed_headers(body))
    assert answer.status_code == 200 and "abc123" in answer.text
