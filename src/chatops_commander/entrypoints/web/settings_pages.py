"""Settings: your password (with the policy), your 2FA, your API tokens — the same services and rules as the API.

The forms are htmx POSTs checked like every page form (`_post_principal`: session CSRF double submit, a
read-only token refused); each answers a fragment that says what happened in the user's language, and a
refused input never changes anything. 2FA enrolment keeps its JSON-API flow (`static/js/app.js`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import ApiToken
from chatops_commander.entrypoints.web import pages_text, routes
from chatops_commander.services import api_tokens, auth
from chatops_commander.services.principal import Principal

router = APIRouter(include_in_schema=False)
TOKEN_SCOPES = ("read", "execute")
MAX_TOKEN_DAYS = 366
ANSWER_BOX = "#token-result"


def _flash(request: Request, principal: Principal, ok: bool, text: str, *,
           problems: Any = (), status_code: int = 200, target: str | None = None) -> Response:
    response = routes._render(request, "partials/flash.html", principal, ok=ok, text=text, problems=problems,
                              status_code=status_code)
    if target:  # a refused token form answers next to the form, leaving the list in place
        response.headers["HX-Retarget"] = target
        response.headers["HX-Reswap"] = "innerHTML"
    return response


async def form_principal(request: Request) -> Principal | Response:
    """A page form's caller: the session's CSRF and scope checks (`_post_principal`), then the API's rate limit,
    so a form is never a way around the rules the REST API applies to the same change."""
    principal = await routes._post_principal(request)
    if isinstance(principal, Response):
        return principal
    container = routes._container(request)
    try:
        await auth.hit_api_limit(container.uow, container.security, principal)
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(routes._lang(request, principal)),
                      status_code=swapped_status(exc.status_hint))
    return principal


def _refused(request: Request, principal: Principal, text: str) -> Response:
    return _flash(request, principal, False, text, status_code=422, target=ANSWER_BOX)


def swapped_status(status: int) -> int:
    """A refusal's status that htmx still swaps in (base.html's responseHandling): a 401 for a wrong current
    password must not read as 'your session ended'."""
    return status if status in (403, 404, 409, 413, 422, 429) else 422


async def _tokens(request: Request, principal: Principal) -> list[ApiToken]:
    if not (principal.interactive and principal.role.at_least(Role.ADMIN)):
        return []
    return await api_tokens.list_tokens(routes._container(request).uow, principal)


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked_state"
    return "active" if token.is_valid(now) else "expired"


async def _settings_context(request: Request, principal: Principal) -> dict[str, Any]:
    container = routes._container(request)
    me = await auth.current_user(container.uow, principal) if principal.interactive else None
    return {"me": me, "tokens": await _tokens(request, principal), "token_state": token_state,
            "now": datetime.now(UTC), "scopes": TOKEN_SCOPES,
            "can_tokens": principal.interactive and principal.role.at_least(Role.ADMIN)}


@router.get("/settings")
async def settings_page(request: Request) -> Response:
    principal = await routes._principal(request)
    if principal is None:
        return routes._login_redirect(request)
    return routes._render(request, "settings.html", principal, active="settings",
                          **await _settings_context(request, principal))


@router.post("/settings/password")
async def change_password(request: Request, current: str = Form(default="", max_length=1024),
                          new: str = Form(default="", max_length=1024),
                          repeat: str = Form(default="", max_length=1024)) -> Response:
    """Every session ends on success (this one too): the fragment says so and links to the login page."""
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    if not current or not new or not repeat:
        return _flash(request, principal, False, pages_text.text(lang, "set.password_missing"), status_code=422)
    if new != repeat:
        return _flash(request, principal, False, pages_text.text(lang, "set.password_mismatch"), status_code=422)
    container = routes._container(request)
    try:
        await auth.change_password(container.uow, container.security, principal, current=current, new=new)
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(lang), problems=getattr(exc, "problems", ()),
                      status_code=swapped_status(exc.status_hint))
    from chatops_commander.entrypoints.api.routers.auth import _clear_cookies

    response = routes._render(request, "partials/password_changed.html", principal)
    _clear_cookies(response, container.settings)  # the sessions are revoked: the cookies are dead weight
    return response


@router.post("/settings/2fa/confirm")
async def confirm_2fa(request: Request, code: str = Form(default="", max_length=64)) -> Response:
    """The first code from the app turns 2FA on; the recovery codes are shown once."""
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    if not code.strip():
        return _flash(request, principal, False, pages_text.text(lang, "set.twofa_code_missing"), status_code=422)
    container = routes._container(request)
    try:
        codes = await auth.confirm_2fa(container.uow, container.security, principal, code.strip())
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(lang), status_code=swapped_status(exc.status_hint))
    response = routes._render(request, "partials/recovery_codes.html", principal, codes=codes)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/settings/2fa/disable")
async def disable_2fa(request: Request, password: str = Form(default="", max_length=1024),
                      code: str = Form(default="", max_length=64)) -> Response:
    """Your password and a current (or recovery) code turn 2FA off; a wrong one changes nothing and says so."""
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    if not password or not code.strip():
        return _flash(request, principal, False, pages_text.text(lang, "set.twofa_disable_help"), status_code=422)
    container = routes._container(request)
    try:
        await auth.disable_2fa(container.uow, container.security, principal, password=password, code=code.strip())
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(lang), status_code=swapped_status(exc.status_hint))
    response = _flash(request, principal, True, pages_text.text(lang, "set.twofa_disabled"))
    response.headers["HX-Refresh"] = "true"
    return response


@router.post("/settings/tokens")
async def create_token(request: Request, name: str = Form(default="", max_length=200),
                       scope: str = Form(default="", max_length=20),
                       days: str = Form(default="90", max_length=10)) -> Response:
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    if not name.strip() or len(name.strip()) > 64:
        return _refused(request, principal, pages_text.text(lang, "tok.bad_name"))
    if scope not in TOKEN_SCOPES:
        return _refused(request, principal, pages_text.text(lang, "tok.bad_scope"))
    try:
        lifetime = int(days.strip())
    except ValueError:
        lifetime = 0
    if not 1 <= lifetime <= MAX_TOKEN_DAYS:
        return _refused(request, principal, pages_text.text(lang, "tok.bad_days"))
    container = routes._container(request)
    scopes = ["read", "execute"] if scope == "execute" else ["read"]
    try:
        _token, secret = await api_tokens.create_token(
            container.uow, container.security, principal, name=name.strip(), scopes=scopes,
            expires_at=container.security.now() + timedelta(days=lifetime))
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(lang), problems=getattr(exc, "problems", ()),
                      status_code=swapped_status(exc.status_hint), target=ANSWER_BOX)
    return _token_list(request, principal, await _tokens(request, principal),
                       created=pages_text.text(lang, "tok.created"), secret=secret)


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: UUID) -> Response:
    principal = await form_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = routes._lang(request, principal)
    container = routes._container(request)
    try:
        await api_tokens.revoke_token(container.uow, container.security, principal, token_id)
    except DomainError as exc:
        return _flash(request, principal, False, exc.localized(lang), status_code=swapped_status(exc.status_hint),
                      target=ANSWER_BOX)
    return _token_list(request, principal, await _tokens(request, principal),
                       created=pages_text.text(lang, "tok.revoked"), secret=None)


def _token_list(request: Request, principal: Principal, tokens: list[ApiToken], *, created: str,
                secret: str | None) -> Response:
    response = routes._render(request, "partials/token_list.html", principal, tokens=tokens, token_state=token_state,
                              now=datetime.now(UTC), created=created, secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response
