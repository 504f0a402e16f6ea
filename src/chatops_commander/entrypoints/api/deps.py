"""Typed FastAPI dependencies, one place (`ContainerDep`, `UowDep`, `PrincipalDep`, …).

Authentication happens here (bearer JWT or `cc_pat_` API token, else the `cc_access` cookie,
with the double-submit CSRF check for cookie-authenticated state changes); authorization
happens in the services, which receive the `Principal`.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from chatops_commander.bootstrap import Container
from chatops_commander.domain.errors import AuthenticationFailed, PermissionDenied
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.security.client_address import client_address
from chatops_commander.services import access, audit, auth
from chatops_commander.services.kit import SecurityKit
from chatops_commander.services.ports import UnitOfWorkFactory
from chatops_commander.services.principal import Principal

ACCESS_COOKIE = "cc_access"
REFRESH_COOKIE = "cc_refresh"
CSRF_COOKIE = "cc_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="An access token (JWT) from /api/v1/auth/login, "
                                                  "or an API token (cc_pat_…).")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> UnitOfWorkFactory:
    return container.uow


def get_kit(container: Annotated[Container, Depends(get_container)]) -> SecurityKit:
    return container.security


def client_ip(connection: HTTPConnection) -> str | None:
    """The peer's address, or the client's from `X-Forwarded-For` when the peer is a trusted proxy."""
    peer = connection.client.host if connection.client else None
    kit: SecurityKit = connection.app.state.container.security
    return client_address(peer, connection.headers.get("x-forwarded-for"), kit.trusted_proxies)


def request_info(request: Request) -> auth.RequestInfo:
    return auth.RequestInfo(source_ip=client_ip(request),
                            request_id=getattr(request.state, "request_id", None),
                            user_agent=request.headers.get("user-agent"))


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[UnitOfWorkFactory, Depends(get_uow)]
KitDep = Annotated[SecurityKit, Depends(get_kit)]
InfoDep = Annotated[auth.RequestInfo, Depends(request_info)]


def authentication_required() -> AuthenticationFailed:
    return AuthenticationFailed(
        "Authentication required: log in (POST /api/v1/auth/login) or send `Authorization: Bearer <token>`.",
        message_fr="Authentification requise : connectez-vous (POST /api/v1/auth/login) ou envoyez "
                   "`Authorization: Bearer <jeton>`.")


async def check_csrf(request: Request, uow: UnitOfWorkFactory, info: auth.RequestInfo, *, expected: str | None) -> None:
    """Double submit bound to the login: `X-CSRF-Token` must carry this session's token (the value of
    the readable `cc_csrf` cookie set at login, an HMAC of the session); `expected` None: no session."""
    if request.method in SAFE_METHODS:
        return
    header = request.headers.get(CSRF_HEADER, "")
    if not expected or not header or not hmac.compare_digest(expected.encode(), header.encode()):
        await audit.record_alone(uow, None, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                 source_ip=info.source_ip, request_id=info.request_id,
                                 details={"reason": "csrf", "path": request.url.path})
        raise PermissionDenied(
            f"Missing or wrong CSRF token: send the `{CSRF_COOKIE}` cookie's value in the `{CSRF_HEADER}` header.",
            message_fr=f"Jeton CSRF absent ou incorrect : renvoyez la valeur du cookie `{CSRF_COOKIE}` dans "
                       f"l'en-tête `{CSRF_HEADER}`.")


def session_csrf(kit: SecurityKit, principal: Principal) -> str | None:
    return None if principal.session_family is None else auth.csrf_token(kit, principal.session_family)


async def get_principal(
    request: Request, container: ContainerDep, info: InfoDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is not None and credentials.credentials:
        credential, via_cookie = credentials.credentials, False
    else:
        credential, via_cookie = request.cookies.get(ACCESS_COOKIE, ""), True
        if not credential:
            raise authentication_required()
    principal = await auth.authenticate(container.uow, container.security, credential, via_cookie=via_cookie,
                                        info=info)
    if via_cookie:
        await check_csrf(request, container.uow, info, expected=session_csrf(container.security, principal))
    if request.method not in SAFE_METHODS:
        await access.require_may_change(container.uow, principal, action=f"{request.method} {request.url.path}")
    await auth.hit_api_limit(container.uow, container.security, principal)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
