"""The bots inside the server (`CHATOPS_BOTS`): started on the server's loop from the environment, stopped with
it; a platform that cannot start (a missing token, an outage) is logged and never affects the web UI."""

from __future__ import annotations

import asyncio

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from tests.e2e.conftest import client_for
from tests.e2e.platforms.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, mention


async def test_chatops_bots_starts_slack_from_the_environment_and_stops_with_the_server(
        container: bootstrap.Container, monkeypatch: pytest.MonkeyPatch) -> None:
    slack = FakeSlack()
    await slack.start()
    for key, value in {"CHATOPS_BOTS": "slack", "CHATOPS_SLACK_BOT_TOKEN": BOT_TOKEN,
                       "CHATOPS_SLACK_APP_TOKEN": APP_TOKEN, "CHATOPS_SLACK_API_URL": slack.api_url}.items():
        monkeypatch.setenv(key, value)
    running = await bootstrap_platforms.start_bots(container)
    assert running is not None
    try:
        await slack.push("events_api", mention("U-nobody", "hello"))
        [post] = await slack.wait_posts(1)
        assert "I run nothing for you" in post.text
    finally:
        await running.close()
        await slack.stop()
    assert running.task.done()


async def test_a_platform_that_cannot_start_leaves_the_web_ui_serving(
        container: bootstrap.Container, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATOPS_BOTS", "slack")
    monkeypatch.delenv("CHATOPS_SLACK_BOT_TOKEN", raising=False)
    running = await bootstrap_platforms.start_bots(container)
    assert running is not None
    await asyncio.wait_for(running.task, timeout=15)  # said in the log, and over
    async with client_for(container) as browser:
        assert (await browser.get("/healthz")).status_code == 200
    await running.close()
