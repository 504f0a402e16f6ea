"""Servers page: why a server is in `error` or `offline`, and for an admin the fix ("host key not trusted —
trust it?") through the same services as the CLI's `servers test` and `servers trust`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from chatops_commander import bootstrap
from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.web import pages_text, routes
from chatops_commander.entrypoints.web.settings_pages import form_principal, swapped_status
from chatops_commander.services import monitoring
from chatops_commander.services import servers as server_service
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal

router = APIRouter(include_in_schema=False)
KEY_OUTCOMES = ("host_key_unknown", "host_key_mismatch")
UNREACHABLE_RULE = "host_unreachable"


async def reasons(container: Any, principal: Principal, lang: str) -> dict[str, str]:
    """Server id → the collector's last word on why it is not online (its open `host_unreachable` alert)."""
    alerts, _ = await monitoring.list_alerts(container.uow, principal, AlertQuery(resolved=False, limit=500))
    found: dict[str, str] = {}
    for alert in alerts:
        if alert.server_id is not None and alert.type == UNREACHABLE_RULE:
            found.setdefault(str(alert.server_id), alert.localized(lang))
    return found


def _reason(request: Request, principal: Principal, server_id: UUID, *, ok: bool, text: str,
            fingerprint: str | None = None, outcome: str = "", status_code: int = 200) -> Response:
    return routes._render(request, "partials/server_reason.html", principal, ok=ok, text=text,
                          fingerprint=fingerprint, outcome=outcome, server_id=server_id, status_code=status_code)


@router.post("/servers/{server_id}/diagnose")
async def diagnose(request: Request, server_id: UUID) -> Response:
    """Connect once (admin): says what is wrong, and offers to trust the key a host offers when that is it."""
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    container = routes._container(request)
    try:
        check = await server_service.check_connection(container.uow, container.fanout.executor, principal,
                                                      server_id)
        server = await server_service.get_server(container.uow, principal, server_id)
    except DomainError as exc:
        return _reason(request, principal, server_id, ok=False, text=exc.localized(lang),
                       status_code=swapped_status(exc.status_hint))
    if check.ok or check.outcome not in KEY_OUTCOMES:
        return _reason(request, principal, server_id, ok=check.ok, text=check.message(lang))
    try:
        offered = await bootstrap.offered_host_key(server)
    except OSError as exc:
        return _reason(request, principal, server_id, ok=False,
                       text=pages_text.text(lang, "srv.no_key", why=str(exc) or type(exc).__name__))
    key = "srv.key_unknown" if check.outcome == "host_key_unknown" else "srv.key_mismatch"
    return _reason(request, principal, server_id, ok=False, text=pages_text.text(lang, key, fp=offered),
                   fingerprint=offered, outcome=check.outcome)


@router.post("/servers/{server_id}/trust")
async def trust(request: Request, server_id: UUID, fingerprint: str = Form(max_length=200)) -> Response:
    """Pin the key the admin was shown, only if the host still offers that very key (audited by the service)."""
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    container = routes._container(request)
    try:
        server = await server_service.get_server(container.uow, principal, server_id)
        offered = await bootstrap.offered_host_key(server)
        if offered != fingerprint:
            key = "srv.key_mismatch"
            return _reason(request, principal, server_id, ok=False, text=pages_text.text(lang, key, fp=offered),
                           fingerprint=offered, outcome="host_key_mismatch", status_code=409)
        trusted = await server_service.trust_host_key(container.uow, principal, server_id, fingerprint)
    except OSError as exc:
        return _reason(request, principal, server_id, ok=False,
                       text=pages_text.text(lang, "srv.no_key", why=str(exc) or type(exc).__name__))
    except DomainError as exc:
        return _reason(request, principal, server_id, ok=False, text=exc.localized(lang),
                       status_code=swapped_status(exc.status_hint))
    response = _reason(request, principal, server_id, ok=True,
                       text=pages_text.text(lang, "srv.trusted", fp=fingerprint, name=trusted.name))
    return response
