"""The product's 403 and 404 pages (HTML, EN/FR, with a way back) for a browser opening a page.

The API keeps its problem+json answers: these handlers wrap the API's and only answer in HTML for a
page request (a GET outside `/api`, `/mcp`, `/static` and `/events` whose client accepts HTML and is
not htmx, which gets fragments). An htmx request keeps the fragment the page swaps in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.web import i18n, pages_text, routes
from chatops_commander.services.principal import Principal

Handler = Callable[[Request, Exception], Awaitable[Response]]
API_PREFIXES = ("/api/", "/mcp", "/static/", "/events/", "/metrics", "/healthz", "/readyz")


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not the API, not a fetch or an htmx swap)."""
    if request.method not in ("GET", "HEAD") or request.headers.get("hx-request"):
        return False
    path = request.url.path
    if path.startswith(API_PREFIXES) or path in ("/api", "/mcp"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _back(request: Request) -> str | None:
    """The page the user came from, when it is one of ours (never an open redirect)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/") or referer.path == request.url.path:
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def forbidden(request: Request, principal: Principal | None, *, message: str | None = None) -> Response:
    lang = routes._lang(request, principal)
    role = i18n.translate(lang, "role." + principal.role.value) if principal else ""
    detail = message or pages_text.text(lang, "err.forbidden_admin", role=role)
    return routes._render(request, "error.html", principal, status_code=403, code=403, back=_back(request),
                          heading=pages_text.text(lang, "err.forbidden_title"), detail=detail)


def not_found(request: Request, principal: Principal | None, *, message: str | None = None) -> Response:
    lang = routes._lang(request, principal)
    detail = message or pages_text.text(lang, "err.not_found_help")
    return routes._render(request, "error.html", principal, status_code=404, code=404, back=_back(request),
                          heading=pages_text.text(lang, "err.not_found_title"), detail=detail)


async def _page_for(request: Request, status: int, message: str | None) -> Response | None:
    if status not in (403, 404) or not wants_page(request):
        return None
    principal = await routes._principal(request)
    if status == 403:
        return forbidden(request, principal, message=message)
    return not_found(request, principal, message=None if message is None else message)


def install(app: FastAPI) -> None:
    """Wrap the API's DomainError and HTTPException handlers (installed before the pages)."""
    handlers: dict[Any, Handler] = app.exception_handlers  # type: ignore[assignment]
    api_domain = handlers.get(DomainError)
    api_http = handlers.get(StarletteHTTPException)

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        lang = routes._lang(request, None)
        page = await _page_for(request, exc.status_hint, exc.localized(lang))
        if page is not None:
            return page
        if api_domain is None:
            raise exc
        return await api_domain(request, exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        page = await _page_for(request, exc.status_code, None)
        if page is not None:
            return page
        if api_http is None:
            raise exc
        return await api_http(request, exc)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
