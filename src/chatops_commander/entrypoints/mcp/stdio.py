"""MCP over stdio (`chatops mcp --as EMAIL`): a desktop agent's server process on the local data directory.

Whoever can run the CLI owns the data directory (the CLI acts as admin); `--as` names the account the agent
acts for, so that its role, per-server rights and language apply, and its confirmations are that person's
to give, logged in to the web UI. The process serves one client until stdin closes.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.stdio import stdio_server

from chatops_commander import bootstrap
from chatops_commander.domain.errors import NotFound
from chatops_commander.entrypoints.mcp.door import McpDoor
from chatops_commander.entrypoints.mcp.server import build_server
from chatops_commander.services.principal import AuthMethod, Principal


async def principal_for(container: bootstrap.Container, email: str) -> Principal:
    """The active account `email`, acting through the CLI (not an interactive login: it cannot confirm)."""
    async with container.uow() as uow:
        user = await uow.users.get_by_email(email.strip().lower())
    if user is None or not user.is_active or user.id is None:
        raise NotFound(f"No active user {email!r}: create it with `chatops users add`.",
                       message_fr=f"Aucun utilisateur actif {email!r} : créez-le avec `chatops users add`.")
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.CLI,
                     language=user.language)


async def serve_stdio(container: bootstrap.Container, email: str) -> None:
    principal = await principal_for(container, email)
    settings = container.settings
    door = McpDoor(bootstrap.build_chat_service(container), container.uow, public_url=settings.public_url,
                   audit_evidence=lambda: bootstrap.audit_evidence(container))

    async def resolve(ctx: ServerRequestContext[Any, Any]) -> tuple[Principal, McpDoor, str]:
        return principal, door, "stdio"

    server = build_server(resolve, door.input_schema)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
