"""Streamable HTTP at `/mcp` on `chatops serve`: every request carries `Authorization: Bearer <token>`.

`BearerAuth` authenticates it exactly like the REST API (API token `cc_pat_…` or an access token; audited
refusals; the per-user API rate limit) and leaves the principal in the request's state for the MCP
handlers. No token, a bad one: 401 as `application/problem+json`, before the MCP layer sees anything.
DNS-rebinding checks are off: a browser on a rebound name cannot attach the bearer token, cookies are
not accepted here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from chatops_commander import bootstrap
from chatops_commander.domain.errors import AuthenticationFailed, DomainError, RateLimited
from chatops_commander.entrypoints.mcp.door import DoorError, McpDoor
from chatops_commander.entrypoints.mcp.server import build_server
from chatops_commander.services import auth
from chatops_commander.services.principal import Principal

PATH = "/mcp"
STATE_KEY = "chatops_mcp"


def door_for(container: bootstrap.Container, app_state: Any) -> McpDoor:
    """One door per app, over the app's chat service (the one REST and the web UI use)."""
    door: McpDoor | None = getattr(app_state, "mcp_door", None)
    if door is None:
        chat = getattr(app_state, "chat_service", None) or bootstrap.build_chat_service(container)
        app_state.chat_service = chat
        settings = container.settings
        door = McpDoor(chat, container.uow, public_url=settings.public_url,
                       audit_head=lambda: bootstrap.audit_log_head(settings))
        app_state.mcp_door = door
    return door


async def _problem(send: Send, status: int, title: str, detail: str, code: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail,
                       "code": code}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="chatops-mcp"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BearerAuth:
    """ASGI wrapper: authenticate, then hand the request to the MCP app with (principal, door) in its state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        container: bootstrap.Container = request.app.state.container
        header = request.headers.get("authorization", "")
        kind, _, credential = header.partition(" ")
        if kind.lower() != "bearer" or not credential.strip():
            await _problem(send, 401, "Authentication required",
                           "Send `Authorization: Bearer <API token>` (an API token of your ChatOps Commander "
                           "account: read scope for read-only tools, execute scope for actions).",
                           "authentication_required")
            return
        info = auth.RequestInfo(source_ip=request.client.host if request.client else None,
                                request_id=request.headers.get("x-request-id"),
                                user_agent=request.headers.get("user-agent"))
        try:
            principal = await auth.authenticate(container.uow, container.security, credential.strip(),
                                                via_cookie=False, info=info)
            await auth.hit_api_limit(container.uow, container.security, principal)
        except DomainError as exc:
            status = 429 if isinstance(exc, RateLimited) else 401 if isinstance(exc, AuthenticationFailed) else 403
            await _problem(send, status, "Refused", exc.localized("en"), exc.code)
            return
        scope.setdefault("state", {})[STATE_KEY] = (principal, door_for(container, request.app.state))
        await self.app(scope, receive, send)


async def resolve(ctx: ServerRequestContext[Any, Any]) -> tuple[Principal, McpDoor, str]:
    request = ctx.request
    state = getattr(request, "scope", {}).get("state", {}) if request is not None else {}
    found = state.get(STATE_KEY)
    if found is None:  # never reached through BearerAuth; refuse rather than guess
        raise DoorError("authentication_required", "Authentication required.", "Authentification requise.")
    principal, door = found
    return principal, door, "http"


class McpHttp:
    """The `/mcp` endpoint of one app and its session manager, a new one each time the app's lifespan starts
    (a manager runs once; tests start one app several times)."""

    def __init__(self) -> None:
        self.server = build_server(resolve)
        self.manager: StreamableHTTPSessionManager | None = None
        self.endpoint = BearerAuth(self._sessions)

    async def _sessions(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.manager is None:
            await _problem(send, 503, "Not ready", "The MCP endpoint is not running.", "not_ready")
            return
        await self.manager.asgi_app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.manager = StreamableHTTPSessionManager(
            app=self.server, json_response=True,
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        try:
            async with self.manager.run():
                yield
        finally:
            self.manager = None
