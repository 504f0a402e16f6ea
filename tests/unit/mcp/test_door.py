"""The MCP door on the shipped fakes: what an agent may list and call, the gates it meets, and bad input."""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import TokenScope
from chatops_commander.entrypoints.mcp.door import Client, DoorError, McpDoor
from chatops_commander.entrypoints.mcp.prompts import prompt_messages
from chatops_commander.services.principal import AuthMethod, Principal
from tests.unit.pipeline.world import World, shop_cache_flush

AGENT = Client("claude-desktop", "0.9", "stdio")


def world() -> World:
    w = World(packs=[shop_cache_flush()])
    w.host("web-01", services={"nginx": True})
    w.host("web-02", services={"nginx": True})
    return w


def door(w: World) -> McpDoor:
    return McpDoor(w.chat, w.store)  # type: ignore[arg-type]


def token(principal: Principal, *scopes: TokenScope) -> Principal:
    return dataclasses.replace(principal, auth_method=AuthMethod.API_TOKEN, scopes=frozenset(scopes))


async def test_tools_follow_the_role_and_the_token_scopes() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    viewer = w.user(Role.VIEWER, "viewer@example.com")
    d = door(w)
    admin_tools = {t.name: t for t in await d.tools(admin)}
    assert {"parse", "pending_status", "server_disk", "service_restart", "server_reboot", "shop_cache_flush"} \
        <= set(admin_tools)
    assert not any(n.startswith("chat_") for n in admin_tools)
    assert admin_tools["server_reboot"].destructive and not admin_tools["server_reboot"].read_only
    assert admin_tools["server_disk"].read_only and admin_tools["server_disk"].idempotent
    assert admin_tools["service_restart"].input_schema["required"] == ["targets", "service"]
    executing = {t.name for t in await d.tools(token(admin, TokenScope.READ, TokenScope.EXECUTE))}
    assert "service_restart" in executing and "server_reboot" not in executing and "shell_run" not in executing
    reading = await d.tools(token(admin, TokenScope.READ))
    assert all(t.read_only for t in reading) and "server_disk" in {t.name for t in reading}
    assert "service_restart" not in {t.name for t in await d.tools(viewer)}


async def test_a_low_action_runs_and_returns_results_per_host_with_door_mcp_and_the_client() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    out = await door(w).call(admin, AGENT, "server_disk", {"targets": ["web-01", "web-02"]})
    assert out["status"] == "ran" and out["ok"] is True and set(out["hosts"]) == {"web-01", "web-02"}
    rows = w.rows("server.disk")
    assert len(rows) == 2 and {r.door for r in rows} == {"mcp"}
    assert {e.details["doorDetail"] for e in w.audit("COMMAND_EXECUTED")} == {"claude-desktop 0.9 (stdio)"}


async def test_a_medium_action_waits_for_the_person_and_never_for_the_agents_token() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    d = door(w)
    pending = await d.call(token(op, TokenScope.READ, TokenScope.EXECUTE), AGENT, "service_restart",
                           {"targets": ["web-01"], "service": "nginx"})
    assert pending["status"] == "pending_confirmation" and pending["risk"] == "medium"
    assert w.fleet.sent("web-01") == []
    conversation = pending["conversation_id"]
    agent_says_yes = await w.say(token(op, TokenScope.EXECUTE), UUID(conversation), "yes",
                                 confirmation_id=pending["id"])
    assert "a person confirms it" in (agent_says_yes.message.content if agent_says_yes.message else "")
    assert w.fleet.sent("web-01") == [] and w.audit("AUTHORIZATION_DENIED")
    assert (await d.pending(op, pending["id"]))["state"] == "pending"

    person = await w.say(op, UUID(conversation), "yes", confirmation_id=pending["id"])  # password login
    assert [e for e in person.events if e.to_json()["type"] == "result"]
    state = await d.pending(op, pending["id"])
    assert state["state"] == "confirmed" and state["hosts"]["web-01"]["outcome"] == "ok"
    assert {r.door for r in w.rows("service.restart")} == {"mcp"}


async def test_an_approval_gated_action_waits_for_another_admin() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    admin = w.user(Role.ADMIN, "admin@example.com")
    d = door(w)
    pending = await d.call(op, AGENT, "shop_cache_flush", {"targets": ["web-01"]})
    assert pending["status"] == "pending_approval" and pending["expires_at"]
    assert (await d.pending(op, pending["id"]))["state"] == "requested"
    await w.chat.decide_approval(admin, pending["id"], approve=True, reason=None)
    state = await d.pending(op, pending["id"])
    assert state["state"] == "approved" and state["decided_by"] == "admin@example.com"


async def test_hidden_servers_unknown_tools_and_bad_arguments_are_errors_and_nothing_is_written() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    w.host("db-01")  # added after the operator's rights: no row, so hidden from them
    d = door(w)
    with pytest.raises(DoorError, match=r"Unknown server\(s\): db-01"):
        await d.call(op, AGENT, "server_disk", {"targets": ["db-01"]})
    with pytest.raises(DoorError, match="Unknown tool"):
        await d.call(op, AGENT, "chat_confirm", {})
    with pytest.raises(DoorError, match="at least one server"):
        await d.call(op, AGENT, "service_restart", {"service": "nginx"})
    with pytest.raises(DoorError) as refused:
        await d.call(op, AGENT, "service_restart", {"targets": ["web-01"], "service": "bad name;"})
    assert refused.value.code == "invalid_arguments"
    assert w.rows() == [r for r in w.rows() if r.state == "refused"] and w.fleet.sent("web-01") == []


async def test_refusals_speak_the_users_language() -> None:
    w = world()
    viewer = w.user(Role.VIEWER, "lecteur@example.com", lang="fr")
    with pytest.raises(DoorError) as refused:
        await door(w).call(viewer, AGENT, "service_restart", {"targets": ["web-01"], "service": "nginx"})
    assert "viewer" in refused.value.localized("fr") and refused.value.localized("fr") != refused.value.en
    with pytest.raises(DoorError) as unknown:
        await door(w).call(viewer, AGENT, "nope", {})
    assert unknown.value.localized("fr").startswith("Outil inconnu")
    _, text = prompt_messages("diagnose_service", {"service": "nginx"}, "fr")
    assert text.startswith("Diagnostique le service nginx")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in ("targets", "path")),
                       st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none()), min_size=1,
                       max_size=4))
async def test_any_argument_the_tool_does_not_take_is_refused_before_anything_runs(extra: dict[str, Any]) -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    with pytest.raises(DoorError, match="unknown argument"):
        await door(w).call(admin, AGENT, "server_disk", {"targets": ["web-01"], **extra})
    assert w.rows() == [] and w.fleet.sent("web-01") == []


async def test_parse_says_what_would_run_and_runs_nothing() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    parsed = await door(w).parse(op, "restart nginx on web-01")
    assert parsed["action"] == "service.restart" and parsed["tool"] == "service_restart"
    assert parsed["would"] == "wait for a person's confirmation" and w.rows() == []


async def test_queries_answer_and_a_deleted_mcp_conversation_is_made_again() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    d = door(w)
    health = await d.call(admin, AGENT, "fleet_health", {})
    assert health["status"] == "answered" and health["data"]["hosts_total"] == 2
    await w.chat.delete_conversation(admin, UUID(health["conversation_id"]))
    again = await d.call(admin, AGENT, "history_list", {})
    assert again["status"] == "answered" and again["conversation_id"] != health["conversation_id"]
    titles = [c.title for c in await w.chat.list_conversations(admin)]
    assert titles == ["MCP · claude-desktop"]


async def test_an_operators_deploy_finds_its_hosts_in_the_runbook_and_waits_for_an_admins_approval() -> None:
    w = world()
    roll = {"name": "Roll", "kind": "rolling", "commands": [["deploy", "{version}"]]}
    w.add_runbook(parse_runbook({"application": "shop", "environments": {"staging": ["web-01", "web-02"]},
                                 "steps": [roll]}))
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01", "web-02"])
    d = door(w)
    tool = next(t for t in await d.tools(op) if t.name == "app_deploy")
    assert tool.input_schema["required"] == ["version", "environment"]
    pending = await d.call(op, AGENT, "app_deploy", {"version": "v2.0.0", "environment": "staging"})
    assert pending["status"] == "pending_approval" and pending["approve_by"] == "another admin (4-eyes)"
    assert w.fleet.sent("web-01") == [] and w.fleet.sent("web-02") == []
    [approval] = await w.chat.list_approvals(op)
    assert approval.targets == ("web-01", "web-02") and approval.parameters["version"] == "v2.0.0"
