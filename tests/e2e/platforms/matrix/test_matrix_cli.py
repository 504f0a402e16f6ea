"""`chatops bots run matrix` as its own process against the real Synapse: the token sealed in the database,
an unlinked user answered; missing settings said plainly, without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.platforms.matrix.client import MatrixUser
from tests.e2e.platforms.matrix.synapse import Account, Homeserver

pytestmark = pytest.mark.slow
CHATOPS = str(Path(sys.executable).with_name("chatops"))


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env.update({"CHATOPS_DATA_DIR": str(data_dir), "LANG": "C", "CHATOPS_REGISTER_LOCALHOST": "false", **extra})
    return env


def test_bots_run_matrix_without_settings_says_what_to_set(tmp_path: Path) -> None:
    done = subprocess.run([CHATOPS, "bots", "run", "matrix"], env=_env(tmp_path / "var"), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "CHATOPS_MATRIX_HOMESERVER" in output and "Traceback" not in output, output


@pytest.fixture
def cli_bot(tmp_path: Path, synapse: Homeserver, accounts: dict[str, Account], bot_id: str) -> Iterator[Path]:
    """`chatops bots secret set matrix access_token --stdin`, then `chatops bots run matrix` until the test ends
    (Ctrl-C), whose log must hold no traceback."""
    env = _env(tmp_path / "var", CHATOPS_MATRIX_HOMESERVER=synapse.base_url, CHATOPS_MATRIX_USER_ID=bot_id)
    sealed = subprocess.run([CHATOPS, "bots", "secret", "set", "matrix", "access_token", "--stdin"], env=env,
                            input=accounts["chatops"].access_token + "\n", capture_output=True, text=True,
                            timeout=120, check=False)
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    path = tmp_path / "bot.log"
    with path.open("w") as log:
        bot = subprocess.Popen([CHATOPS, "bots", "run", "matrix"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
        try:
            yield path
        finally:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(timeout=30)
            finally:
                if bot.poll() is None:
                    bot.kill()
                    bot.wait(timeout=30)
    assert "Traceback" not in path.read_text()


async def test_bots_run_matrix_with_a_sealed_token_answers_an_unlinked_user(
        cli_bot: Path, alice: MatrixUser, bot_id: str) -> None:
    room = await alice.create_room(invite=(bot_id,), direct=True)
    await alice.wait_joined(room, bot_id, within=60)
    asked = await alice.say(room, "restart nginx on web-01")
    answer = await alice.wait_for_reply(room, asked, bot_id, within=60)
    assert "I run nothing for you" in answer["content"]["body"]
