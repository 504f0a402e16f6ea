"""`chatops bots run <platform>` as its own process, for each platform's CLI tests: a clean environment, a secret
sealed with `chatops bots secret set`, the bot run until the test is done (Ctrl-C), its log without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHATOPS = str(Path(sys.executable).with_name("chatops"))


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process' environment without any CHATOPS_ setting, with `data_dir` and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env.update({"CHATOPS_DATA_DIR": str(data_dir), "LANG": "C", "CHATOPS_REGISTER_LOCALHOST": "false", **extra})
    return env


def run_without_settings(platform: str, data_dir: Path) -> tuple[int, str]:
    """`chatops bots run <platform>` with none of its settings: (exit code, output)."""
    done = subprocess.run([CHATOPS, "bots", "run", platform], env=cli_env(data_dir), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    return done.returncode, done.stdout + done.stderr


def seal(env: dict[str, str], platform: str, name: str, value: str) -> None:
    """`chatops bots secret set <platform> <name> --stdin`."""
    sealed = subprocess.run([CHATOPS, "bots", "secret", "set", platform, name, "--stdin"], env=env,
                            input=value + "\n", capture_output=True, text=True, timeout=120, check=False)
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr


@contextmanager
def bot_running(platform: str, env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`chatops bots run <platform>`, its output in `log_path`, until the block ends (Ctrl-C); its log must then
    hold no traceback."""
    with log_path.open("w") as log:
        bot = subprocess.Popen([CHATOPS, "bots", "run", platform], env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
        try:
            yield bot
        finally:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(timeout=30)
            finally:
                if bot.poll() is None:
                    bot.kill()
                    bot.wait(timeout=30)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()
