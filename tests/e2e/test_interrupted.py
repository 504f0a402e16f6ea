"""Write-ahead: a real `chatops serve` killed with SIGKILL while a command runs leaves an `interrupted` row.

The command's `commands` row and its COMMAND_STARTED event are committed before the command is sent;
the next start turns what was left `running` into `interrupted` (audited) and says so in the conversation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import serve

EMAIL, PASSWORD = "kill@example.com", "Quiet-Harbor-Lamp-2026"
HANG_GUARD_S = 60  # a stuck step fails the test instead of hanging it; not a speed expectation


@contextmanager
def _client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=HANG_GUARD_S) as client:
        token = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _ask_in_background(base: str, token: str, conversation: str) -> threading.Thread:
    """Say "run `sleep 30` on localhost" (and confirm the card if one comes): the turn blocks until the kill."""

    def talk() -> None:
        with httpx.Client(base_url=base, timeout=HANG_GUARD_S, headers={"Authorization": token}) as client:
            try:
                turn = client.post(f"/api/v1/conversations/{conversation}/messages",
                                   json={"text": "run `sleep 30` on localhost"}).json()
                card = (turn["message"]["metadata"] or {}).get("confirmation")
                if card:
                    client.post(f"/api/v1/conversations/{conversation}/messages",
                                json={"text": "yes", "confirmation_id": card["id"],
                                      "action_hash": card["action_hash"]})
            except httpx.TransportError:  # the server was killed under the request: expected
                pass

    thread = threading.Thread(target=talk, daemon=True)
    thread.start()
    return thread


def _running_rows(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/v1/commands", params={"action": "shell.run"}).json()["items"]
    return [i for i in items if i["state"] == "running"]


def test_a_command_running_when_the_server_is_killed_is_interrupted_after_restart(tmp_path: Path) -> None:
    env = {"CHATOPS_DATA_DIR": str(tmp_path / "var"), "CHATOPS_ADMIN_EMAIL": EMAIL,
           "CHATOPS_ADMIN_PASSWORD": PASSWORD, "CHATOPS_MONITORING_ENABLED": "false"}
    with serve(tmp_path, env) as (base, proc), _client(base) as client:
        conversation = client.post("/api/v1/conversations", json={}).json()["id"]
        talking = _ask_in_background(base, str(client.headers["Authorization"]), conversation)
        deadline = time.monotonic() + HANG_GUARD_S
        while not _running_rows(client):
            assert time.monotonic() < deadline, "the command never showed as running"
            assert talking.is_alive(), "the turn ended before the kill: the command did not run"
            time.sleep(0.1)  # polling interval of a deadline-bounded wait
        [row] = _running_rows(client)
        assert row["command"] and row["door"] == "rest" and row["server"] == "localhost"
        proc.kill()  # SIGKILL: no shutdown code runs
        proc.wait(timeout=HANG_GUARD_S)
        talking.join(timeout=HANG_GUARD_S)

    audit_log = (tmp_path / "var" / "audit.log").read_text()
    assert '"COMMAND_STARTED"' in audit_log and '"COMMAND_EXECUTED"' not in audit_log

    with serve(tmp_path, env) as (base, _), _client(base) as client:
        items = client.get("/api/v1/commands", params={"action": "shell.run"}).json()["items"]
        assert [(i["id"], i["state"], i["outcome"]) for i in items] == [(row["id"], "interrupted", "interrupted")]
        assert items[0]["finished_at"] is not None
        messages = client.get(f"/api/v1/conversations/{conversation}/messages").json()
        assert "The ChatOps server stopped while this was running: shell.run (localhost)" in messages[-1]["content"]
        audit = client.get("/api/v1/audit", params={"action": "COMMAND_INTERRUPTED"}).json()
        assert [a["target"] for a in audit if a["action"] == "COMMAND_INTERRUPTED"] == ["localhost"]
        assert client.get("/api/v1/audit/verify").json()["ok"] is True
    # A second restart finds nothing left to interrupt and posts nothing more.
    with serve(tmp_path, env) as (base, _), _client(base) as client:
        assert len(client.get(f"/api/v1/conversations/{conversation}/messages").json()) == len(messages)
