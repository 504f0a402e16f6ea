"""MCP over streamable HTTP at /mcp on a real `chatops serve`, with the official MCP client.

Tokens: an execute API token gets the action tools, a read token only the read-only ones (and is refused on
an action tool). A medium action returns a pending confirmation; the agent's own API token cannot confirm it
through REST; the person, logged in with a password, confirms it; the agent then sees the result. Commands and
audit events name the door `mcp` and the client's name and version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from chatops_commander.entrypoints.mcp.http import RATE_LIMITED
from tests.live_server import serve

EMAIL, PASSWORD = "mcp-admin@example.com", "Quiet-Harbor-Lamp-2026"
AGENT = types.Implementation(name="pytest-agent", version="1.2.3")


class Live:
    def __init__(self, base: str, data_dir: Path, access: str, execute: str, read: str) -> None:
        self.base, self.data_dir, self.access, self.execute, self.read = base, data_dir, access, execute, read

    def rest(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("mcp-http")
    env = {"CHATOPS_DATA_DIR": str(root / "var"), "CHATOPS_ADMIN_EMAIL": EMAIL, "CHATOPS_ADMIN_PASSWORD": PASSWORD,
           "CHATOPS_MONITORING_ENABLED": "false", "CHATOPS_PASSWORD_TIME_COST": "1",
           "CHATOPS_PASSWORD_MEMORY_KIB": "8192"}
    with serve(root, env) as (base, _), httpx.Client(base_url=base, timeout=60) as http:
        access = http.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        auth = {"Authorization": f"Bearer {access}"}
        execute = http.post("/api/v1/tokens", headers=auth, json={"name": "agent", "scopes": ["read", "execute"]})
        read = http.post("/api/v1/tokens", headers=auth, json={"name": "reader", "scopes": ["read"]})
        assert execute.status_code == 201 and read.status_code == 201, (execute.text, read.text)
        yield Live(base, root / "var", access, execute.json()["token"], read.json()["token"])


@asynccontextmanager
async def mcp_client(live: Live, token: str) -> AsyncIterator[Client]:
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http, \
            Client(streamable_http_client(f"{live.base}/mcp", http_client=http), client_info=AGENT,
                   read_timeout_seconds=120) as client:
        yield client


def _structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


def test_no_or_a_wrong_token_gets_401_before_any_mcp(live: Live) -> None:
    with httpx.Client(base_url=live.base, timeout=30) as http:
        bare = http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        forged = http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                           headers={"Authorization": "Bearer cc_pat_not-a-real-token"})
        french = http.post("/mcp", json={}, headers={"Accept-Language": "fr-FR"})
    assert bare.status_code == 401 and "Bearer" in bare.json()["detail"]
    assert bare.headers["www-authenticate"].startswith("Bearer")
    assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    assert french.status_code == 401 and french.json()["detail"].startswith("Envoyez")


async def test_execute_token_runs_a_low_action_and_a_person_confirms_a_medium_one(live: Live) -> None:
    async with mcp_client(live, live.execute) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"server_disk", "service_restart", "parse", "pending_status"} <= names
        assert "server_reboot" not in names  # admin-permission actions never reach an API token

        ran = _structured(await client.call_tool("server_disk", {"targets": ["localhost"]}))
        assert ran["status"] == "ran" and ran["hosts"]["localhost"]["outcome"] == "ok"

        pending = _structured(await client.call_tool("service_restart", {"targets": ["localhost"],
                                                                         "service": "chatops-mcp-test"}))
        assert pending["status"] == "pending_confirmation" and pending["risk"] == "medium"
        rest = pending["where"]["rest"]

        with live.rest(live.execute) as agent_rest:  # the agent's own token cannot say yes
            refused = agent_rest.post(rest["path"], json=rest["body"])
        assert "a person confirms it" in refused.json()["message"]["content"]
        assert not [e for e in refused.json()["events"] if e["type"] == "result"]
        assert _structured(await client.call_tool("pending_status", {"id": pending["id"]}))["state"] == "pending"

        with live.rest(live.access) as person:  # the person, logged in with a password
            turn = person.post(rest["path"], json=rest["body"])
        assert turn.status_code == 200, turn.text
        assert [e for e in turn.json()["events"] if e["type"] == "result"]

        done = _structured(await client.call_tool("pending_status", {"id": pending["id"]}))
        assert done["state"] == "confirmed" and set(done["hosts"]) == {"localhost"}
        assert done["hosts"]["localhost"]["state"] in ("succeeded", "failed")  # the host said how it went

    with live.rest(live.access) as person:
        rows = person.get("/api/v1/commands", params={"action": "service.restart"}).json()["items"]
        disk = person.get("/api/v1/commands", params={"action": "server.disk"}).json()["items"]
    assert rows and all(r["door"] == "mcp" for r in rows) and disk[0]["door"] == "mcp"
    audit_log = (live.data_dir / "audit.log").read_text()
    assert '"door": "mcp"' in audit_log or '"door":"mcp"' in audit_log
    assert "pytest-agent 1.2.3 (http)" in audit_log


def _restart_rows(live: Live) -> dict[str, str]:
    with live.rest(live.access) as person:
        items = person.get("/api/v1/commands", params={"action": "service.restart"}).json()["items"]
    return {i["id"]: i["state"] for i in items}


async def test_read_token_sees_read_only_tools_and_is_refused_on_an_action(live: Live) -> None:
    before = _restart_rows(live)
    async with mcp_client(live, live.read) as client:
        tools = (await client.list_tools()).tools
        assert tools and all(t.annotations and t.annotations.read_only_hint for t in tools)
        refused = await client.call_tool("service_restart", {"targets": ["localhost"], "service": "nginx"})
        assert refused.is_error and _structured(refused)["error"]["code"] == "forbidden"
        assert "scopes (read) do not allow execute" in refused.content[0].text  # type: ignore[union-attr]
        servers = await client.read_resource("chatops://servers")
        assert '"localhost"' in servers.contents[0].text  # type: ignore[union-attr]
    new = {k: v for k, v in _restart_rows(live).items() if k not in before}
    assert list(new.values()) == ["refused"]  # recorded as refused; nothing ran


async def test_bad_input_over_http_is_an_mcp_error_or_an_error_result(live: Live) -> None:
    async with mcp_client(live, live.execute) as client:
        with pytest.raises(MCPError, match="Unknown tool") as unknown:
            await client.call_tool("rm_rf", {"targets": ["localhost"]})
        assert unknown.value.error.code == INVALID_PARAMS
        empty_path = await client.call_tool("server_disk", {"targets": ["localhost"], "path": ""})
        ghost = await client.call_tool("server_disk", {"targets": ["ghost-9"]})
        assert empty_path.is_error and _structured(empty_path)["error"]["code"] == "invalid_arguments"
        assert "path" in _structured(empty_path)["error"]["message"]
        assert ghost.is_error and _structured(ghost)["error"]["code"] == "unknown_server"
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert prompts == {"morning_check", "diagnose_service"}
        prompt = await client.get_prompt("diagnose_service", {"service": "nginx", "server": "localhost"})
        assert "incident_diagnose" in prompt.messages[0].content.text  # type: ignore[union-attr]


async def test_a_password_login_reads_every_resource_over_mcp(live: Live) -> None:
    async with mcp_client(live, live.access) as client:
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
        assert uris == {"chatops://servers", "chatops://alerts/open", "chatops://commands/recent",
                        "chatops://audit/verification"}
        verified = await client.read_resource("chatops://audit/verification")
        assert '"ok": true' in verified.contents[0].text  # type: ignore[union-attr]
        alerts = await client.read_resource("chatops://alerts/open")
        assert alerts.contents[0].text == "[]"  # type: ignore[union-attr]  # monitoring is off here
        await client.call_tool("server_load", {"targets": ["localhost"]})
        recent = await client.read_resource("chatops://commands/recent")
        assert '"action": "server.load"' in recent.contents[0].text  # type: ignore[union-attr]
        assert '"door": "mcp"' in recent.contents[0].text  # type: ignore[union-attr]
        with pytest.raises(MCPError, match="Unknown resource"):
            await client.read_resource("chatops://secrets")


async def _until_refused(client: Client, calls: int) -> None:
    for _ in range(calls):
        await client.call_tool("server_disk", {"targets": ["localhost"]})


async def test_the_api_rate_limit_reaches_the_agent_as_a_json_rpc_error_with_when_to_retry(
        tmp_path: Path) -> None:
    env = {"CHATOPS_DATA_DIR": str(tmp_path / "var"), "CHATOPS_ADMIN_EMAIL": EMAIL,
           "CHATOPS_ADMIN_PASSWORD": PASSWORD, "CHATOPS_MONITORING_ENABLED": "false",
           "CHATOPS_PASSWORD_TIME_COST": "1", "CHATOPS_PASSWORD_MEMORY_KIB": "8192",
           "CHATOPS_RATE_LIMIT_API": "4/minute"}
    with serve(tmp_path, env) as (base, _):
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            login = await http.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            access = login.json()["access_token"]
            async with mcp_client(Live(base, tmp_path / "var", access, access, access), access) as client:
                with pytest.raises(MCPError) as limited:
                    await _until_refused(client, 6)
            raw = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 7, "method": "tools/list"},
                                  headers={"Authorization": f"Bearer {access}", "Accept-Language": "fr"})
    assert limited.value.error.code == RATE_LIMITED
    assert isinstance(limited.value.error.data, dict) and limited.value.error.data["reason"] == "rate_limited"
    assert limited.value.error.data["retry_after_s"] >= 1
    assert raw.status_code == 429 and int(raw.headers["retry-after"]) >= 1
    assert raw.json()["id"] == 7 and raw.json()["error"]["message"].startswith("Trop de requêtes")
