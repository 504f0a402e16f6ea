"""`chatops bots run teams` as its own process against the local Teams: the client secret sealed in the database,
an unlinked user answered through the connector with a token from Entra; a wrong secret or missing settings said
plainly, without a traceback."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e.platforms.bot_process import bot_running, cli_env, run_without_settings, seal
from tests.e2e.platforms.teams.fake_teams import APP_ID, APP_PASSWORD, TENANT, FakeTeams

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bots_run_teams_without_settings_says_what_to_set(tmp_path: Path) -> None:
    code, output = run_without_settings("teams", tmp_path / "var")
    assert code != 0
    assert "CHATOPS_TEAMS_APP_ID" in output and "Traceback" not in output, output


@pytest.fixture
def teams_env(tmp_path: Path, fake_teams: FakeTeams) -> dict[str, str]:
    port = _free_port()
    fake_teams.bot_url = f"http://127.0.0.1:{port}/api/messages"
    return cli_env(tmp_path / "var", CHATOPS_TEAMS_APP_ID=APP_ID, CHATOPS_TEAMS_TENANT_ID=TENANT,
                   CHATOPS_TEAMS_PORT=str(port), CHATOPS_TEAMS_OPENID_METADATA_URL=fake_teams.openid_metadata_url,
                   CHATOPS_TEAMS_SERVICE_URL=fake_teams.service_url, **fake_teams.environment())


@contextmanager
def _listening_bot(env: dict[str, str], log_path: Path, url: str) -> Iterator[None]:
    with bot_running("teams", env, log_path) as bot:
        deadline = time.monotonic() + 60
        while True:  # listening: Teams' endpoint answers 401 to a request without a token
            assert bot.poll() is None and time.monotonic() < deadline, log_path.read_text()
            try:
                if httpx.post(url, json={}, trust_env=False).status_code == 401:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield


@pytest.fixture
def cli_bot(tmp_path: Path, teams_env: dict[str, str], fake_teams: FakeTeams) -> Iterator[Path]:
    seal(teams_env, "teams", "app_password", APP_PASSWORD)
    path = tmp_path / "bot.log"
    with _listening_bot(teams_env, path, fake_teams.bot_url):
        yield path


async def test_bots_run_teams_with_a_sealed_secret_answers_an_unlinked_user(cli_bot: Path,
                                                                           fake_teams: FakeTeams) -> None:
    response, _ = await fake_teams.say("aad-stranger", "Stranger", "restart nginx on web-01")
    assert response.status_code == 200
    [post] = await fake_teams.wait_posts(1, timeout_s=60)
    assert "I run nothing for you" in post.text and fake_teams.token_requests >= 1


async def test_a_wrong_client_secret_is_said_in_the_log_and_nothing_is_posted(
        tmp_path: Path, teams_env: dict[str, str], fake_teams: FakeTeams) -> None:
    env = {**teams_env, "CHATOPS_TEAMS_APP_PASSWORD": "not-the-secret"}
    path = tmp_path / "bot.log"
    with _listening_bot(env, path, fake_teams.bot_url):
        response, _ = await fake_teams.say("aad-stranger", "Stranger", "hello")
        assert response.status_code == 200
        deadline = time.monotonic() + 60
        while fake_teams.token_requests == 0 or "could not post" not in path.read_text():
            assert time.monotonic() < deadline, path.read_text()
            await asyncio.sleep(0.05)
    assert fake_teams.posts == [] and "invalid_client" in path.read_text()
