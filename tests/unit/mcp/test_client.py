"""The MCP door through the official MCP client, in-process (`Client(server)`): which tools a principal is shown
(role, token scopes, per-server rights), and how each kind of refusal reaches the agent — a JSON-RPC error for a
tool that does not exist, an `isError` result with a reason code and both languages for everything else — with
nothing run and nothing sent to a host."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import TokenScope
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.entrypoints.mcp.door import McpDoor
from chatops_commander.entrypoints.mcp.server import build_server
from chatops_commander.services.actions.journal import JournalRateLimit
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.principal import AuthMethod, Principal
from tests.unit.mcp.test_door import token, world
from tests.unit.pipeline.world import World

AGENT = types.Implementation(name="ide-agent", version="3.1")


@asynccontextmanager
async def agent(w: World, principal: Principal, door: McpDoor | None = None) -> AsyncIterator[Client]:
    d = door or McpDoor(w.chat, w.store)  # type: ignore[arg-type]

    async def resolve(ctx: Any) -> tuple[Principal, McpDoor, str]:
        return principal, d, "memory"

    async with Client(build_server(resolve, d.input_schema), client_info=AGENT) as client:
        yield client


async def names(w: World, principal: Principal) -> set[str]:
    async with agent(w, principal) as client:
        return {t.name for t in (await client.list_tools()).tools}


def refusal(result: types.CallToolResult) -> dict[str, Any]:
    """The error of a refused call: an `isError` result, text = the message, nothing ran."""
    assert result.is_error is True, result
    assert isinstance(result.structured_content, dict)
    assert result.structured_content["ok"] is False and result.structured_content["status"] == "refused"
    error: dict[str, Any] = result.structured_content["error"]
    assert error["message"] and error["message_fr"] and error["message"] != error["message_fr"]
    assert isinstance(result.content[0], types.TextContent)
    return error


async def test_the_tool_list_follows_per_server_rights() -> None:
    w = world()
    w.host("db-01")
    runs_web = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    reads_only = w.user(Role.OPERATOR, "reader@example.com")
    sees_nothing = w.user(Role.OPERATOR, "nobody@example.com", read_on=[])

    assert {"service_restart", "server_disk", "shop_cache_flush"} <= await names(w, runs_web)
    reader = await names(w, reads_only)
    assert "server_disk" in reader and "service_restart" not in reader and "shop_cache_flush" not in reader
    nothing = await names(w, sees_nothing)
    assert {"parse", "pending_status"} <= nothing
    assert not {"server_disk", "service_restart", "service_status"} & nothing  # no server to run them on


async def test_a_tag_grant_adds_tools_and_a_withdrawn_right_removes_them_at_the_next_listing() -> None:
    w = world()
    w.host("cache-01", tags=["cache"])
    op = w.user(Role.OPERATOR, "op@example.com", read_on=[])
    assert op.user_id is not None
    assert "service_restart" not in await names(w, op)
    w.store.tag_permissions[(op.user_id, "cache")] = ServerPermission(can_read=True, can_execute=True)
    assert {"service_restart", "server_disk"} <= await names(w, op)
    del w.store.tag_permissions[(op.user_id, "cache")]
    assert not {"service_restart", "server_disk"} & await names(w, op)


async def test_a_read_token_is_shown_only_read_only_tools() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    async with agent(w, token(admin, TokenScope.READ)) as client:
        tools = (await client.list_tools()).tools
    assert tools and all(t.annotations is not None and t.annotations.read_only_hint for t in tools)
    assert "server_disk" in {t.name for t in tools} and "service_restart" not in {t.name for t in tools}


async def test_an_unknown_tool_is_a_json_rpc_invalid_params_error() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com", lang="fr")
    async with agent(w, admin) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("rm_rf", {"targets": ["web-01"]})
    assert raised.value.error.code == INVALID_PARAMS
    assert raised.value.error.message.startswith("Outil inconnu")
    data = raised.value.error.data
    assert isinstance(data, dict) and data["reason"] == "unknown_tool" and data["message"].startswith("Unknown tool")
    assert w.rows() == []


async def test_invalid_arguments_are_an_error_result_the_agent_can_correct() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    async with agent(w, admin) as client:
        extra = refusal(await client.call_tool("server_disk", {"targets": ["web-01"], "colour": "red"}))
        bad_value = refusal(await client.call_tool("service_restart", {"targets": ["web-01"],
                                                                       "service": "bad name;"}))
        no_target = refusal(await client.call_tool("service_restart", {"service": "nginx"}))
        not_a_list = refusal(await client.call_tool("server_disk", {"targets": "web-01"}))
    assert extra["code"] == "invalid_arguments" and "colour" in extra["message"] and "path" in extra["message"]
    assert bad_value["code"] == "invalid_arguments" and "service" in bad_value["message"]
    assert no_target["code"] == "invalid_arguments" and "at least one server" in no_target["message"]
    assert not_a_list["code"] == "invalid_arguments"
    assert w.rows() == [] and w.fleet.sent("web-01") == []


async def test_a_hidden_server_reads_exactly_like_a_missing_one() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    w.host("db-01")  # added after the operator's rights: hidden from them
    async with agent(w, op) as client:
        hidden = refusal(await client.call_tool("server_disk", {"targets": ["db-01"]}))
        missing = refusal(await client.call_tool("server_disk", {"targets": ["db-02"]}))
    assert hidden["code"] == missing["code"] == "unknown_server"
    assert hidden["message"].replace("db-01", "X") == missing["message"].replace("db-02", "X")
    assert w.rows() == [] and w.fleet.sent("db-01") == []


async def test_forbidden_calls_say_why_and_are_recorded_as_refused() -> None:
    w = world()
    viewer = w.user(Role.VIEWER, "viewer@example.com")
    admin = w.user(Role.ADMIN, "admin@example.com")
    async with agent(w, viewer) as client:
        role = refusal(await client.call_tool("service_restart", {"targets": ["web-01"], "service": "nginx"}))
    async with agent(w, token(admin, TokenScope.READ)) as client:
        scope = refusal(await client.call_tool("service_restart", {"targets": ["web-01"], "service": "nginx"}))
    assert role["code"] == scope["code"] == "forbidden"
    assert "viewer" in role["message"] and "viewer" in role["message_fr"]
    assert "scopes (read) do not allow execute" in scope["message"]
    assert {r.state for r in w.rows("service.restart")} == {"refused"} and w.fleet.sent("web-01") == []


async def test_the_command_rate_limit_is_an_error_result_saying_when_to_retry() -> None:
    w = world()
    w._chat = ChatService(w.store, FanOut(w.fleet, w.registry()), w.specs(),  # type: ignore[arg-type]
                          clock=w.clock, hub=w.hub, runbooks=w.runbooks, default_language="en",
                          rate_hook=JournalRateLimit(w.store, clock=w.clock, door="mcp",  # type: ignore[arg-type]
                                                     amount=1, period_s=60))
    admin = w.user(Role.ADMIN, "admin@example.com")
    args = {"targets": ["web-01"], "service": "nginx"}
    async with agent(w, admin) as client:
        first = (await client.call_tool("service_restart", args)).structured_content
        assert isinstance(first, dict) and first["status"] == "pending_confirmation"
        person = dataclasses.replace(admin, auth_method=AuthMethod.PASSWORD)
        await w.say(person, UUID(first["conversation_id"]), "yes", confirmation_id=first["id"])
        assert [r.state for r in w.rows("service.restart")] == ["succeeded"]
        limited = refusal(await client.call_tool("service_restart", args))
    assert limited["code"] == "rate_limited" and limited["retry_after_s"] >= 1
    assert "too many commands" in limited["message"] and len(w.rows("service.restart")) == 1


async def test_pending_status_explains_pending_expired_and_unknown_requests() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"], lang="fr")
    async with agent(w, op) as client:
        pending = (await client.call_tool("service_restart", {"targets": ["web-01"], "service": "nginx"}))
        assert isinstance(pending.structured_content, dict) and pending.is_error is False
        ident = pending.structured_content["id"]
        waiting = await client.call_tool("pending_status", {"id": ident})
        assert waiting.is_error is False and isinstance(waiting.structured_content, dict)
        assert waiting.structured_content["state"] == "pending"
        assert "op@example.com" in waiting.structured_content["message"]  # who must confirm, in French
        assert waiting.structured_content["message"].startswith("En attente")
        w.clock.advance(minutes=6)
        expired = await client.call_tool("pending_status", {"id": ident})
        unknown = refusal(await client.call_tool("pending_status", {"id": "no-such-id"}))
    assert expired.is_error is True and isinstance(expired.structured_content, dict)
    assert expired.structured_content["state"] == "expired"
    assert expired.structured_content["error"]["code"] == "confirmation_expired"
    assert "nothing ran" in expired.structured_content["error"]["message"]
    assert unknown["code"] == "unknown_pending" and w.fleet.sent("web-01") == []
