"""`GET /metrics`: our own metrics in Prometheus' text format, and the middleware timing each request.

Latency is labelled by route *template* (`/api/v1/servers/{server_id}`), never by raw path, so the number of
series stays bounded; requests matching no route count as `<unmatched>`. Open alerts by severity are read
from the database at scrape time, so every replica reports the same figures. Set CHATOPS_METRICS_TOKEN to
require `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
import re
import time
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatops_commander.domain.errors import AuthenticationFailed
from chatops_commander.entrypoints.api.deps import ContainerDep

router = APIRouter(tags=["health"])
UNMATCHED = "<unmatched>"
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def route_template(scope: Scope) -> str:
    """The matched route's template with its routers' prefixes (`/api/v1/alerts/{alert_id}/resolve`).

    The route object carries its own path (without the prefixes of the routers it was included in): render it
    with the request's path parameters, and what precedes it in the request path is the prefix.
    """
    inner = getattr(scope.get("route"), "path", None)
    if not isinstance(inner, str) or not inner:
        return UNMATCHED
    params = scope.get("path_params") or {}
    rendered = _PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), inner)
    path = str(scope.get("path", ""))
    template = _PARAM.sub(lambda m: "{" + m.group(1) + "}", inner)  # `{server_id:uuid}` is labelled `{server_id}`
    return path[: len(path) - len(rendered)] + template if path.endswith(rendered) else template


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}})
async def metrics(container: ContainerDep, authorization: Annotated[str | None, Header()] = None) -> Response:
    token = container.settings.metrics_token
    if token is not None:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                 token.get_secret_value().encode()):
            raise AuthenticationFailed("A valid bearer token (CHATOPS_METRICS_TOKEN) is required for /metrics.",
                                       message_fr="Un jeton Bearer valide (CHATOPS_METRICS_TOKEN) est requis "
                                                  "pour /metrics.")
    async with container.uow() as uow:
        counts = await uow.alerts.open_counts()
    container.metrics.set_open_alerts(counts)
    body, content_type = container.metrics.render()
    return Response(content=body, media_type=content_type)


class HttpMetricsMiddleware:
    """Times every HTTP request and records it by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = route_template(scope)
            container = getattr(getattr(scope.get("app"), "state", None), "container", None)
            sink = getattr(container, "metrics", None)
            if sink is not None:
                sink.observe_http(scope.get("method", "GET"), template, status, time.perf_counter() - started)
