"""The MCP server (official `mcp` SDK, low-level `Server`): tools, resources and prompts of the `McpDoor`.

Two transports share it: stdio (`chatops mcp --as EMAIL`, one principal for the process) and streamable
HTTP at `/mcp` on `chatops serve`, where `BearerAuth` authenticates every request with an API token (or an
access token) and leaves the principal in the request's state. Every `DoorError` becomes an MCP error
(JSON-RPC "invalid params") whose message says what is wrong, in the user's language.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from chatops_commander.entrypoints.mcp.catalog import ToolSpec
from chatops_commander.entrypoints.mcp.door import Client, DoorError, McpDoor
from chatops_commander.entrypoints.mcp.prompts import PROMPTS, prompt_messages
from chatops_commander.services.principal import Principal

SERVER_NAME = "chatops-commander"
INSTRUCTIONS = (
    "ChatOps Commander: run ops actions on servers through the same role, per-server rights, risk, confirmation "
    "and approval gates as the chat. Low-risk tools run at once; higher-risk ones return a pending confirmation "
    "that the person you act for confirms in ChatOps Commander: tell them, then check it with pending_status. "
    "Use `parse` to see how a sentence is understood without running anything.")
RESOURCES = {
    "chatops://servers": ("servers", "Servers you may read, with their last known status."),
    "chatops://alerts/open": ("open-alerts", "Open alerts on the servers you may read."),
    "chatops://commands/recent": ("recent-commands", "The last commands (yours; an admin sees everyone's)."),
    "chatops://audit/verification": ("audit-verification", "Whether the tamper-evident audit trail is intact "
                                                           "(admins)."),
}

Resolve = Callable[[ServerRequestContext[Any, Any]], Awaitable[tuple[Principal, McpDoor, str]]]
"""(principal, door, transport) of one request."""


def _tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(name=spec.name, description=spec.description, input_schema=dict(spec.input_schema),
                      annotations=types.ToolAnnotations(read_only_hint=spec.read_only,
                                                        destructive_hint=spec.destructive,
                                                        idempotent_hint=spec.idempotent, open_world_hint=False))


def _error(exc: DoorError, principal: Principal) -> MCPError:
    """A JSON-RPC "invalid params" error: the request names a tool, resource or prompt this server does not have
    (for this principal). `data` carries the reason and the message in both languages."""
    return MCPError(INVALID_PARAMS, exc.localized(principal.language), {"reason": exc.code, **exc.as_json()})


def _refusal(exc: DoorError, principal: Principal) -> types.CallToolResult:
    """A tool call refused before anything ran, as the spec wants it: a result with `isError`, whose text the
    agent reads and can act on (fix the arguments, pick another server, wait, ask a person)."""
    return types.CallToolResult(content=[types.TextContent(text=exc.localized(principal.language))],
                                structured_content={"ok": False, "status": "refused", "error": exc.as_json()},
                                is_error=True)


def client_of(ctx: ServerRequestContext[Any, Any], transport: str) -> Client:
    params = ctx.session.client_params
    info = params.client_info if params is not None else None
    if info is None:
        return Client(transport=transport)
    return Client(name=(info.name or "unknown")[:80], version=(info.version or "")[:40], transport=transport)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chatops-commander")
    except PackageNotFoundError:
        return "0"


def build_server(resolve: Resolve, schema_of: Callable[[str], Mapping[str, Any] | None]) -> Server[Any]:
    """`schema_of`: a tool's input schema by name, for the SDK's header checks (without it the SDK would run the
    `tools/list` handler before every call)."""

    async def list_tools(ctx: ServerRequestContext[Any, Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        principal, door, _ = await resolve(ctx)
        return types.ListToolsResult(tools=[_tool(t) for t in await door.tools(principal)])

    async def call_tool(ctx: ServerRequestContext[Any, Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        principal, door, transport = await resolve(ctx)
        try:
            result = await door.call(principal, client_of(ctx, transport), params.name, params.arguments)
        except DoorError as exc:
            if exc.protocol:
                raise _error(exc, principal) from None
            return _refusal(exc, principal)
        text = result.get("message") if isinstance(result.get("message"), str) else None
        blocks: list[types.ContentBlock] = [types.TextContent(text=text or json.dumps(result, default=str))]
        return types.CallToolResult(content=blocks, structured_content=json.loads(json.dumps(result, default=str)),
                                    is_error=result.get("ok") is False)

    async def list_resources(ctx: ServerRequestContext[Any, Any],
                             params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        await resolve(ctx)
        return types.ListResourcesResult(resources=[
            types.Resource(uri=uri, name=name, description=text, mime_type="application/json")
            for uri, (name, text) in RESOURCES.items()])

    async def read_resource(ctx: ServerRequestContext[Any, Any],
                            params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        principal, door, _ = await resolve(ctx)
        readers: dict[str, Callable[[Principal], Awaitable[Any]]] = {
            "chatops://servers": door.servers, "chatops://alerts/open": door.open_alerts,
            "chatops://commands/recent": door.recent_commands,
            "chatops://audit/verification": door.audit_verification}
        uri = str(params.uri)
        reader = readers.get(uri)
        if reader is None:
            raise _error(DoorError("unknown_resource", f"Unknown resource {uri!r}.",
                                   f"Ressource inconnue : {uri!r}."), principal)
        try:
            data = await reader(principal)
        except DoorError as exc:
            raise _error(exc, principal) from None
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=uri, mime_type="application/json", text=json.dumps(data, default=str, ensure_ascii=False))])

    async def list_prompts(ctx: ServerRequestContext[Any, Any],
                           params: types.PaginatedRequestParams | None) -> types.ListPromptsResult:
        await resolve(ctx)
        return types.ListPromptsResult(prompts=[
            types.Prompt(name=p.name, description=p.description, arguments=[
                types.PromptArgument(name=a, description=d, required=r) for a, d, r in p.arguments])
            for p in PROMPTS.values()])

    async def get_prompt(ctx: ServerRequestContext[Any, Any],
                         params: types.GetPromptRequestParams) -> types.GetPromptResult:
        principal, _, _ = await resolve(ctx)
        try:
            description, text = prompt_messages(params.name, dict(params.arguments or {}), principal.language)
        except DoorError as exc:
            raise _error(exc, principal) from None
        return types.GetPromptResult(description=description, messages=[
            types.PromptMessage(role="user", content=types.TextContent(text=text))])

    return Server(SERVER_NAME, version=_version(), instructions=INSTRUCTIONS,
                  get_tool_input_schema=lambda name: dict(schema) if (schema := schema_of(name)) else None,
                  on_list_tools=list_tools,
                  on_call_tool=call_tool, on_list_resources=list_resources, on_read_resource=read_resource,
                  on_list_prompts=list_prompts, on_get_prompt=get_prompt)
