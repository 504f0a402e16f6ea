"""Streamable HTTP at `/mcp` on `chatops serve`: every request carries `Authorization: Bearer <token>`.

`BearerAuth` authenticates it exactly like the REST API (API token `cc_pat_…` or an access token; audited
refusals; the per-user API rate limit) and leaves the principal in the request's state for the MCP
handlers. No token, a bad one: 401 as `application/problem+json`, before the MCP layer sees anything.
DNS-rebinding checks are off: a browser on a rebound name cannot attach the bearer token, cookies are
not accepted here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from chatops_commander import bootstrap
from chatops_commander.domain.errors import AuthenticationFailed, DomainError, RateLimited
from chatops_commander.entrypoints.api.problems import problem, request_language
from chatops_commander.entrypoints.mcp.door import DoorError, McpDoor
from chatops_commander.entrypoints.mcp.server import build_server
from chatops_commander.services import auth
from chatops_commander.services.principal import Principal

PATH = "/mcp"
STATE_KEY = "chatops_mcp"
RATE_LIMITED = -32010
"""JSON-RPC error code of a request refused by the API rate limit (the spec's implementation-defined band,
-32000..-32019); the error's data says when to retry (`retry_after_s`, also the Retry-After header)."""


def door_for(container: bootstrap.Container, app_state: Any) -> McpDoor:
    """One door per app, over the app's chat service (the one REST and the web UI use)."""
    door: McpDoor | None = getattr(app_state, "mcp_door", None)
    if door is None:
        chat = getattr(app_state, "chat_service", None) or bootstrap.build_chat_service(container)
        app_state.chat_service = chat
        settings = container.settings
        door = McpDoor(chat, container.uow, public_url=settings.public_url,
                       audit_evidence=lambda: bootstrap.audit_evidence(container))
        app_state.mcp_door = door
    return door


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
        fr = request_language(request) == "fr"
        if kind.lower() != "bearer" or not credential.strip():
            detail = ("Envoyez `Authorization: Bearer <jeton d'API>` (un jeton d'API de votre compte ChatOps "
                      "Commander : portée read pour les outils en lecture, execute pour les actions)." if fr else
                      "Send `Authorization: Bearer <API token>` (an API token of your ChatOps Commander account: "
                      "read scope for read-only tools, execute scope for actions).")
            await problem(401, detail, request=request, code="authentication_required",
                          headers={"WWW-Authenticate": 'Bearer realm="chatops-mcp"'})(scope, receive, send)
            return
        info = auth.RequestInfo(source_ip=request.client.host if request.client else None,
                                request_id=request.headers.get("x-request-id"),
                                user_agent=request.headers.get("user-agent"))
        try:
            principal = await auth.authenticate(container.uow, container.security, credential.strip(),
                                                via_cookie=False, info=info)
            await auth.hit_api_limit(container.uow, container.security, principal)
        except DomainError as exc:
            limited = await _rate_limited(Request(scope, receive), exc, fr) if isinstance(exc, RateLimited) else None
            if limited is not None:
                await limited(scope, receive, send)
                return
            status = 429 if isinstance(exc, RateLimited) else 401 if isinstance(exc, AuthenticationFailed) else 403
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
            await problem(status, exc.localized("fr" if fr else "en"), request=request, code=exc.code,
                          headers=headers)(scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_KEY] = (principal, door_for(container, request.app.state))
        await self.app(scope, receive, send)


async def _rate_limited(request: Request, exc: RateLimited, fr: bool) -> Response | None:
    """The per-user API rate limit hit by a JSON-RPC request: 429 with Retry-After, and as body the JSON-RPC error
    of that request (code `RATE_LIMITED`), which the MCP client hands to the agent as it is (a problem document
    would reach it as a bare "server returned an error response"). None: not a request with an id."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    if not isinstance(body, dict) or "id" not in body or not isinstance(body["id"], (str, int)):
        return None
    error = DoorError(exc.code, exc.localized("en"), exc.localized("fr"), retry_after=exc.retry_after)
    payload = {"jsonrpc": "2.0", "id": body["id"],
               "error": {"code": RATE_LIMITED, "message": error.localized("fr" if fr else "en"),
                         "data": {"reason": error.code, **error.as_json()}}}
    return JSONResponse(payload, status_code=429, headers={"Retry-After": str(exc.retry_after)})


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

    def __init__(self, app_state: Any) -> None:
        def schema_of(name: str) -> Mapping[str, Any] | None:
            door: McpDoor | None = getattr(app_state, "mcp_door", None)  # built by the first authenticated call
            return door.input_schema(name) if door is not None else None

        self.server = build_server(resolve, schema_of)
        self.manager: StreamableHTTPSessionManager | None = None
        self.endpoint = BearerAuth(self._sessions)

    async def _sessions(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.manager is None:
            await problem(503, "The MCP endpoint is not running.", code="not_ready")(scope, receive, send)
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
