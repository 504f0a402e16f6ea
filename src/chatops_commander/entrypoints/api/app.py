"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.config import Settings
from chatops_commander.entrypoints.api import docs_ui, problems
from chatops_commander.entrypoints.api.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from chatops_commander.entrypoints.api.routers import (
    alerts,
    approvals,
    audit,
    auth,
    commands,
    conversations,
    health,
    integrations,
    servers,
    tokens,
    users,
    ws,
)
from chatops_commander.entrypoints.api.routers import metrics as metrics_router
from chatops_commander.entrypoints.mcp import http as mcp_http
from chatops_commander.entrypoints.web import routes as web

API_PREFIX = "/api/v1"


def create_app(settings: Settings, *, container: bootstrap.Container | None = None) -> FastAPI:
    """Build the app; the container is built in the lifespan unless one is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or await bootstrap.build(settings)
        if owned:  # first admin from CHATOPS_ADMIN_EMAIL/PASSWORD (`chatops serve` also generates one)
            await bootstrap.ensure_first_admin(app.state.container, generate=False)
        if owned:  # what the previous process left running was interrupted (write-ahead rows)
            await bootstrap.sweep_interrupted(app.state.container)
        if owned:  # the collector and the chat-event relay run in the server that owns its container
            await bootstrap.start_chat_events(app.state.container)
            await bootstrap.start_monitoring(app.state.container)
        bots = await bootstrap_platforms.start_bots(app.state.container) if owned else None  # CHATOPS_BOTS
        try:
            async with app.state.mcp.running():  # the MCP door's sessions (streamable HTTP at /mcp)
                yield
        finally:
            if bots is not None:
                await bots.close()
            if owned:
                await bootstrap.stop_monitoring(app.state.container)
                await app.state.container.aclose()

    app = FastAPI(
        title="ChatOps Commander API",
        version="0.1.0",
        description="Talk to your infrastructure. Errors are `application/problem+json` (RFC 9457).",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    if container is not None:
        app.state.container = container
    # Set by the server when it is asked to stop, so that endless responses (event streams) end at once
    # instead of holding the shutdown (see `chatops serve`).
    app.state.stopping = asyncio.Event()
    problems.install(app)
    docs_ui.install(app)
    app.include_router(health.router)
    app.include_router(metrics_router.router)
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth.router)
    api.include_router(servers.router)
    api.include_router(users.router)
    api.include_router(tokens.router)
    api.include_router(audit.router)
    api.include_router(alerts.router)
    api.include_router(integrations.router)
    api.include_router(conversations.router)
    api.include_router(approvals.router)
    api.include_router(commands.router)
    api.include_router(ws.router)
    app.include_router(api)
    web.install(app)  # the web UI (pages + /static)
    app.state.mcp = mcp_http.McpHttp(app.state)
    app.router.routes.append(Route(mcp_http.PATH, app.state.mcp.endpoint))  # MCP for AI agents (docs/mcp.md)

    # Middleware: the last added runs first.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                           allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID", "X-CSRF-Token"])
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.uses_tls)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(metrics_router.HttpMetricsMiddleware)
    return app
