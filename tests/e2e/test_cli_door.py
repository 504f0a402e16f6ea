"""The CLI is a door of the action pipeline: its runs are `commands` rows like a chat run's, and rate limited."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.cli import chatops
from tests.live_server import serve

EMAIL, PASSWORD = "door@example.com", "Quiet-Harbor-Lamp-2026"


def test_a_cli_run_is_in_the_history_and_the_api_with_the_fields_of_a_chat_run(data_dir: Path,
                                                                               tmp_path: Path) -> None:
    code, out = chatops("run", "server.disk", "--on", "localhost")
    assert code == 0, out
    code, out = chatops("history", "--json")
    assert code == 0, out
    [cli_line] = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert (cli_line["action"], cli_line["server"], cli_line["door"], cli_line["state"], cli_line["outcome"]) == (
        "server.disk", "localhost", "cli", "succeeded", "ok")
    assert cli_line["command"] == "df -P -k" and cli_line["actor"].startswith("cli:")

    env = {"CHATOPS_DATA_DIR": str(data_dir), "CHATOPS_ADMIN_EMAIL": EMAIL, "CHATOPS_ADMIN_PASSWORD": PASSWORD,
           "CHATOPS_MONITORING_ENABLED": "false"}
    with serve(tmp_path, env) as (base, _), httpx.Client(base_url=base, timeout=60) as client:
        token = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        conversation = client.post("/api/v1/conversations", json={}).json()["id"]
        turn = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "disk usage on localhost"})
        assert turn.status_code == 200, turn.text
        items = client.get("/api/v1/commands", params={"action": "server.disk"}).json()["items"]
    chat, cli = sorted(items, key=lambda i: i["door"] != "rest")
    assert (chat["door"], cli["door"]) == ("rest", "cli") and cli["id"] == cli_line["id"]
    assert set(chat) == set(cli)
    # A CLI run has no user row (an OS user) and no conversation; every other field is filled alike.
    assert {k for k, v in cli.items() if v is None} - {"user_id", "conversation_id"} == \
        {k for k, v in chat.items() if v is None}
    for key in ("action", "server", "command", "state", "outcome", "exit_code", "risk_level", "confirmed"):
        assert chat[key] == cli[key], key
    assert chat["intent"]["action"] == cli["intent"]["action"] == "server.disk"


def test_cli_runs_are_rate_limited_like_the_other_doors(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATOPS_RATE_LIMIT_COMMANDS", "2/minute")
    for _ in range(2):
        code, out = chatops("exec", "--on", "localhost", "--", "true")
        assert code == 0, out
    code, out = chatops("exec", "--on", "localhost", "--", "true")
    assert code == 2 and "too many commands" in out
    code, out = chatops("run", "server.disk", "--on", "localhost")  # read-only actions are not counted
    assert code == 0, out
