"""The Teams SDK's HTTP server adapter on aiohttp (the SDK's `HttpServerAdapter` protocol).

The SDK's default adapter runs uvicorn on 0.0.0.0 and installs its own signal handlers; inside `chatops serve`
(already a uvicorn server) that would take over SIGTERM. This one binds where it is told (127.0.0.1 by default,
port 0 for tests: `port` says what was bound), serves only the SDK's messaging route, and never touches signals.
The SDK keeps the work that matters: the Bot Framework JWT validation and the activity routing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

log = logging.getLogger("chatops.platforms.teams")
MAX_BODY = 256 * 1024  # an activity is a few kB; Bot Framework caps them far below this


class AiohttpAdapter:
    """`microsoft_teams.apps.http.adapter.HttpServerAdapter` on aiohttp."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int | None = None
        self._routes: list[tuple[str, Any]] = []
        self._runner: web.AppRunner | None = None

    def register_route(self, method: str, path: str, handler: Any) -> None:
        if method != "POST":
            raise ValueError(f"unsupported HTTP method {method}")

        async def route(request: web.Request) -> web.Response:
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                return web.json_response({"error": "the body is not JSON"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"error": "the body is not an activity"}, status=400)
            result = await handler({"body": body, "headers": dict(request.headers)})
            status = int(result.get("status", 200))
            payload = result.get("body")
            if payload is None:
                return web.Response(status=status)
            return web.json_response(payload, status=status)

        self._routes.append((path, route))

    def serve_static(self, path: str, directory: str) -> None:  # tabs and pages are not served by this bot
        log.debug("teams: static path %s not served", path)

    async def start(self, port: int) -> None:
        """Bind and return (the caller waits for its own stop)."""
        app = web.Application(client_max_size=MAX_BODY)  # a new one per start: the run loop may restart us
        for path, route in self._routes:
            app.router.add_post(path, route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
