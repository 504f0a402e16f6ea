"""MCP over stdio with the official MCP client: `chatops mcp --as EMAIL` spawned on a temporary data directory.

A low action runs on localhost and returns its results; a medium one returns a pending confirmation that a
person confirms through `chatops serve` on the same data directory, after which the agent sees the result; bad
input (unknown tool, invalid arguments, a server the user may not read) is an MCP error and nothing runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from tests.live_server import serve

EMAIL, PASSWORD = "agent-owner@example.com", "Quiet-Harbor-Lamp-2026"


def _env(data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    return clean | {"CHATOPS_DATA_DIR": str(data_dir), "CHATOPS_PASSWORD_TIME_COST": "1",
                    "CHATOPS_PASSWORD_MEMORY_KIB": "8192", "CHATOPS_MONITORING_ENABLED": "false", "LANG": "C"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    chatops = Path(sys.executable).parent / "chatops"
    subprocess.run([str(chatops), "users", "add", EMAIL, "--role", "admin", "--password-stdin"],
                   input=PASSWORD.encode(), env=_env(tmp_path / "var"), check=True, capture_output=True)
    return tmp_path / "var"


def _client(data_dir: Path, email: str = EMAIL) -> Client:
    chatops = Path(sys.executable).parent / "chatops"
    return Client(StdioServerParameters(command=str(chatops), args=["mcp", "--as", email], env=_env(data_dir)),
                  read_timeout_seconds=120, client_info=types.Implementation(name="desktop-agent", version="2.0"))


def _refused(result: Any, code: str) -> bool:
    """An `isError` tool result refusing the call with this reason code (nothing ran)."""
    return bool(result.is_error and result.structured_content["error"]["code"] == code)


def _text(result: Any) -> str:
    return str(result.content[0].text)


def _structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


async def test_stdio_lists_tools_with_hints_runs_a_low_action_and_holds_a_medium_one(data_dir: Path) -> None:
    async with _client(data_dir) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"parse", "pending_status", "server_disk", "service_restart", "shell_run"} <= set(tools)
        assert not any(name.startswith("chat_") for name in tools)
        disk = tools["server_disk"]
        assert disk.annotations is not None and disk.annotations.read_only_hint is True
        assert disk.input_schema["properties"]["targets"]["type"] == "array"
        restart = tools["service_restart"]
        assert restart.annotations is not None and restart.annotations.read_only_hint is False
        assert "service" in restart.input_schema["required"]
        assert tools["server_reboot"].annotations.destructive_hint is True  # type: ignore[union-attr]

        ran = _structured(await client.call_tool("server_disk", {"targets": ["localhost"]}))
        assert ran["status"] == "ran" and ran["ok"] is True
        assert ran["hosts"]["localhost"]["outcome"] == "ok" and ran["hosts"]["localhost"]["data"]["mounts"]

        pending = _structured(await client.call_tool("service_restart", {"targets": ["localhost"],
                                                                         "service": "nginx"}))
        assert pending["status"] == "pending_confirmation" and pending["risk"] == "medium"
        assert pending["expires_at"] and pending["confirm_by"] == EMAIL
        assert "/messages" in pending["where"]["rest"]["path"]
        state = _structured(await client.call_tool("pending_status", {"id": pending["id"]}))
        assert state["state"] == "pending" and "hosts" not in state

        parsed = _structured(await client.call_tool("parse", {"sentence": "show disk usage on localhost"}))
        assert parsed["action"] == "server.disk" and parsed["tool"] == "server_disk"
        assert parsed["targets"] == ["localhost"] and parsed["would"] == "run at once"
    audit_log = (data_dir / "audit.log").read_text()
    assert '"door": "mcp"' in audit_log and '"doorDetail": "desktop-agent 2.0 (stdio)"' in audit_log


async def test_stdio_bad_input_is_an_mcp_error_that_says_what_is_wrong(data_dir: Path) -> None:
    async with _client(data_dir) as client:
        with pytest.raises(MCPError, match="Unknown tool 'format_everything'"):
            await client.call_tool("format_everything", {})
        extra = await client.call_tool("server_disk", {"targets": ["localhost"], "force": True})
        nowhere = await client.call_tool("server_disk", {"targets": ["nowhere-01"]})
        no_service = await client.call_tool("service_restart", {"targets": ["localhost"]})
        assert _refused(extra, "invalid_arguments") and "unknown argument" in _text(extra)
        assert _refused(nowhere, "unknown_server") and "Unknown server" in _text(nowhere)
        assert _refused(no_service, "invalid_arguments") and "service" in _text(no_service)
        recent = await client.read_resource("chatops://commands/recent")
        assert recent.contents[0].text == "[]"  # type: ignore[union-attr]  # nothing ran


@pytest.fixture
def operator(data_dir: Path) -> str:
    """An operator with no per-server rights: every server is hidden from them."""
    chatops = Path(sys.executable).parent / "chatops"
    email = "operator-no-rights@example.com"
    subprocess.run([str(chatops), "users", "add", email, "--role", "operator", "--password-stdin"],
                   input=PASSWORD.encode(), env=_env(data_dir), check=True, capture_output=True)
    return email


async def test_a_server_the_user_may_not_read_is_unknown_to_the_agent_and_nothing_runs(data_dir: Path,
                                                                                        operator: str) -> None:
    async with _client(data_dir, operator) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"parse", "pending_status"} <= names  # no server to act on: no tool that acts on one
        assert not {"server_disk", "service_restart", "shell_run"} & names
        hidden = await client.call_tool("server_disk", {"targets": ["localhost"]})
        assert _refused(hidden, "unknown_server") and "Unknown server(s): localhost" in _text(hidden)
        servers = await client.read_resource("chatops://servers")
        assert servers.contents[0].text == "[]"  # type: ignore[union-attr]
        with pytest.raises(MCPError, match="admin"):
            await client.read_resource("chatops://audit/verification")
        recent = await client.read_resource("chatops://commands/recent")
        assert recent.contents[0].text == "[]"  # type: ignore[union-attr]


def test_an_unknown_account_cannot_start_the_stdio_server(data_dir: Path) -> None:
    chatops = Path(sys.executable).parent / "chatops"
    done = subprocess.run([str(chatops), "mcp", "--as", "nobody@example.com"], input=b"", env=_env(data_dir),
                          capture_output=True, timeout=60)
    assert done.returncode != 0 and b"No active user 'nobody@example.com'" in done.stderr
    assert b"Traceback" not in done.stderr


async def test_over_stdio_a_person_confirms_in_chatops_serve_and_the_agent_sees_the_result(data_dir: Path) -> None:
    env = {k: v for k, v in _env(data_dir).items() if k.startswith("CHATOPS_")}
    async with _client(data_dir) as client:
        pending = _structured(await client.call_tool("service_restart", {"targets": ["localhost"],
                                                                         "service": "chatops-mcp-stdio"}))
        assert pending["status"] == "pending_confirmation"
        rest = pending["where"]["rest"]
        with serve(data_dir.parent, env) as (base, _):
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                login = (await http.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})).json()
                turn = await http.post(rest["path"], json=rest["body"],
                                       headers={"Authorization": f"Bearer {login['access_token']}"})
        assert turn.status_code == 200 and [e for e in turn.json()["events"] if e["type"] == "result"]
        done = _structured(await client.call_tool("pending_status", {"id": pending["id"]}))
        assert done["state"] == "confirmed" and set(done["hosts"]) == {"localhost"}
    audit_log = (data_dir / "audit.log").read_text()
    assert '"doorDetail": "desktop-agent 2.0 (stdio)"' in audit_log and '"confirmed": true' in audit_log
