"""Sessions: login, refresh (rotation), logout, log out everywhere, me, password, 2FA.

API clients use the tokens of the JSON answer (`Authorization: Bearer`); browsers also get them
as `HttpOnly; SameSite=Strict` cookies (`Secure` unless on plain-HTTP localhost) plus the
readable `cc_csrf` cookie to echo in `X-CSRF-Token` on state-changing requests.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from chatops_commander.config import Settings
from chatops_commander.entrypoints.api.deps import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    ContainerDep,
    InfoDep,
    KitDep,
    PrincipalDep,
    UowDep,
    check_csrf,
)
from chatops_commander.entrypoints.api.schemas import (
    LoginRequest,
    LogoutRequest,
    MeRead,
    PasswordChange,
    ProfileUpdate,
    RecoveryCodesRead,
    RefreshRequest,
    TokenResponse,
    TwoFactorCode,
    TwoFactorDisable,
    TwoFactorEnrollment,
    UserRead,
)
from chatops_commander.services import auth
from chatops_commander.services.kit import SecurityKit
from chatops_commander.services.principal import Principal

router = APIRouter(prefix="/auth", tags=["auth"])
AUTH_PATH = "/api/v1/auth"


def _set_cookies(response: Response, settings: Settings, pair: auth.TokenPair, kit: SecurityKit) -> None:
    secure = settings.public_url is not None
    refresh_age = settings.refresh_token_days * 86400
    response.set_cookie(ACCESS_COOKIE, pair.access_token, max_age=pair.expires_in, path="/", httponly=True,
                        secure=secure, samesite="strict")
    response.set_cookie(REFRESH_COOKIE, pair.refresh_token, max_age=refresh_age, path=AUTH_PATH, httponly=True,
                        secure=secure, samesite="strict")
    response.set_cookie(CSRF_COOKIE, auth.csrf_token_for_access(kit, pair.access_token), max_age=refresh_age,
                        path="/", httponly=False,
                        secure=secure, samesite="strict")
    response.headers["Cache-Control"] = "no-store"


def _clear_cookies(response: Response, settings: Settings) -> None:
    secure = settings.public_url is not None
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, AUTH_PATH), (CSRF_COOKIE, "/")):
        response.delete_cookie(name, path=path, secure=secure, httponly=name != CSRF_COOKIE, samesite="strict")


def _tokens(pair: auth.TokenPair) -> TokenResponse:
    return TokenResponse(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


@router.post("/login", response_model=TokenResponse,
             responses={401: {"description": "wrong credentials or 2FA code"}, 429: {"description": "rate limited"}})
async def login(body: LoginRequest, response: Response, container: ContainerDep, info: InfoDep) -> TokenResponse:
    pair = await auth.login(container.uow, container.security, email=body.email, password=body.password,
                            totp=body.totp, info=info)
    _set_cookies(response, container.settings, pair, container.security)
    return _tokens(pair)


@router.post("/refresh", response_model=TokenResponse, responses={401: {"description": "invalid or reused"}})
async def refresh(
    request: Request, response: Response, container: ContainerDep, info: InfoDep,
    body: Annotated[RefreshRequest | None, Body()] = None,
) -> TokenResponse:
    token = body.refresh_token if body is not None else None
    if not token:
        token = request.cookies.get(REFRESH_COOKIE, "")
        if not token:
            from chatops_commander.entrypoints.api.deps import authentication_required

            raise authentication_required()
        family = await auth.refresh_family(container.uow, container.security, token)
        await check_csrf(request, container.uow, info,
                         expected=None if family is None else auth.csrf_token(container.security, family))
    pair = await auth.refresh(container.uow, container.security, refresh_token=token, info=info)
    _set_cookies(response, container.settings, pair, container.security)
    return _tokens(pair)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, principal: PrincipalDep, container: ContainerDep,
    body: Annotated[LogoutRequest | None, Body()] = None,
) -> Response:
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    await auth.logout(container.uow, container.security, principal, refresh_token=token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response, container.settings)
    return response


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(principal: PrincipalDep, container: ContainerDep) -> Response:
    await auth.logout_everywhere(container.uow, container.security, principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response, container.settings)
    return response


def _me(principal: Principal, user: UserRead) -> MeRead:
    return MeRead(**user.model_dump(), auth_method=principal.auth_method.value,
                  must_enroll_2fa=principal.must_enroll_2fa,
                  scopes=None if principal.scopes is None else sorted(principal.scopes))


@router.get("/me", response_model=MeRead)
async def me(principal: PrincipalDep, uow: UowDep) -> MeRead:
    return _me(principal, UserRead.of(await auth.current_user(uow, principal)))


@router.patch("/me", response_model=MeRead)
async def update_me(body: ProfileUpdate, principal: PrincipalDep, uow: UowDep) -> MeRead:
    """Change your preferences (language)."""
    return _me(principal, UserRead.of(await auth.set_language(uow, principal, body.language)))


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(body: PasswordChange, principal: PrincipalDep, container: ContainerDep) -> Response:
    """Change your own password; every session is revoked (log in again)."""
    await auth.change_password(container.uow, container.security, principal, current=body.current_password,
                               new=body.new_password)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response, container.settings)
    return response


@router.post("/2fa/enroll", response_model=TwoFactorEnrollment)
async def enroll_2fa(principal: PrincipalDep, uow: UowDep, kit: KitDep, response: Response) -> TwoFactorEnrollment:
    enrollment = await auth.enroll_2fa(uow, kit, principal)
    response.headers["Cache-Control"] = "no-store"
    return TwoFactorEnrollment(otpauth_uri=enrollment.uri, qr_svg=enrollment.qr_svg)


@router.post("/2fa/confirm", response_model=RecoveryCodesRead)
async def confirm_2fa(body: TwoFactorCode, principal: PrincipalDep, uow: UowDep, kit: KitDep,
                      response: Response) -> RecoveryCodesRead:
    """Turn 2FA on; the recovery codes are shown once."""
    codes = await auth.confirm_2fa(uow, kit, principal, body.code)
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodesRead(recovery_codes=codes)


@router.post("/2fa/disable", status_code=status.HTTP_204_NO_CONTENT)
async def disable_2fa(body: TwoFactorDisable, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> None:
    await auth.disable_2fa(uow, kit, principal, password=body.password, code=body.code)
