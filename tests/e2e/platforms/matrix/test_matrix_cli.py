"""`chatops bots run matrix` as its own process against the real Synapse: the token sealed in the database,
an unlinked user answered; missing settings said plainly, without a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.platforms.bot_process import bot_running, cli_env, run_without_settings, seal
from tests.e2e.platforms.matrix.client import MatrixUser
from tests.e2e.platforms.matrix.synapse import Account, Homeserver

pytestmark = pytest.mark.slow


def test_bots_run_matrix_without_settings_says_what_to_set(tmp_path: Path) -> None:
    code, output = run_without_settings("matrix", tmp_path / "var")
    assert code != 0
    assert "CHATOPS_MATRIX_HOMESERVER" in output and "Traceback" not in output, output


@pytest.fixture
def cli_bot(tmp_path: Path, synapse: Homeserver, accounts: dict[str, Account], bot_id: str) -> Iterator[Path]:
    """`chatops bots secret set matrix access_token --stdin`, then `chatops bots run matrix` until the test ends
    (Ctrl-C), whose log must hold no traceback."""
    env = cli_env(tmp_path / "var", CHATOPS_MATRIX_HOMESERVER=synapse.base_url, CHATOPS_MATRIX_USER_ID=bot_id)
    seal(env, "matrix", "access_token", accounts["chatops"].access_token)
    path = tmp_path / "bot.log"
    with bot_running("matrix", env, path):
        yield path


async def test_bots_run_matrix_with_a_sealed_token_answers_an_unlinked_user(
        cli_bot: Path, alice: MatrixUser, bot_id: str) -> None:
    room = await alice.create_room(invite=(bot_id,), direct=True)
    await alice.wait_joined(room, bot_id, within=60)
    asked = await alice.say(room, "restart nginx on web-01")
    answer = await alice.wait_for_reply(room, asked, bot_id, within=60)
    assert "I run nothing for you" in answer["content"]["body"]
