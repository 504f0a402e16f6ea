"""Authentication: password login (+ TOTP or a recovery code), refresh-token rotation with
reuse detection, logout, "log out everywhere", bearer/cookie/API-token authentication into a
`Principal`, own password change, 2FA enrolment, and the login rate limits.

Access tokens are 15-minute JWTs whose `jti` starts with the refresh family id: logging out
revokes the family, which also ends its access tokens at once. `sessions_valid_after` revokes
every token issued before it (password/role change, disable, log out everywhere).
"""

from __future__ import annotations

import base64
import dataclasses
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from chatops_commander.domain.errors import Conflict, RateLimited, ValidationFailed
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security import login_throttle
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.security.errors import CredentialRejected, rejected
from chatops_commander.domain.security.ip_allowlist import ip_allowed
from chatops_commander.domain.security.refresh_sessions import (
    RevokeReason,
    invalid_refresh_token,
    revoke_family,
    rotate,
    start_family,
)
from chatops_commander.domain.users import User, normalize_email
from chatops_commander.services import audit
from chatops_commander.services.kit import SecurityKit, totp_secret_aad
from chatops_commander.services.ports import UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.services.users import hash_new_password, revoke_sessions

REQUIRE_2FA_KEY = "require_2fa_for_admins"
_TOTP_RE = re.compile(r"^\s*\d{3}\s?\d{3}\s*$")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    token_type: str = "bearer"  # noqa: S105


@dataclass(frozen=True)
class RequestInfo:
    source_ip: str | None = None
    request_id: str | None = None
    user_agent: str | None = None


def bad_credentials() -> CredentialRejected:
    """One message for an unknown e-mail and a wrong password (no account enumeration)."""
    return rejected("bad_credentials", "Wrong e-mail or password.", "E-mail ou mot de passe incorrect.")


def _session_revoked() -> CredentialRejected:
    return rejected("session_revoked", "Your session was ended; please log in again.",
                    "Votre session a été fermée ; reconnectez-vous.")


def _interactive_only() -> CredentialRejected:
    return rejected("interactive_only", "This needs an interactive login, not an API token.",
                    "Il faut une connexion interactive, pas un jeton d'API.")


def _rate_limited(retry_after: int) -> RateLimited:
    wait = f"{retry_after} s" if retry_after < 120 else f"{(retry_after + 59) // 60} min"
    return RateLimited(
        f"Too many failed login attempts. For your security, wait {wait} before trying again.",
        message_fr=f"Trop de tentatives de connexion échouées. Par sécurité, patientez {wait} avant de réessayer.",
        retry_after=retry_after)


def check_rate(kit: SecurityKit, bucket: str, key: str) -> int:
    """0 when allowed, else the seconds to wait."""
    verdict = kit.limits.hit(bucket, key)
    return 0 if verdict.allowed else max(1, verdict.retry_after_s)


async def hit_command_limit(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal) -> None:
    """For the chat/command engine: count one command for `principal` (10/min by default);
    raises `RateLimited` (429, audited) when over."""
    key = str(principal.user_id or principal.actor)
    wait = check_rate(kit, "commands", key)
    if wait:
        await audit.record_alone(uow_factory, principal, AuditAction.RATE_LIMITED, AuditOutcome.DENIED,
                                 details={"bucket": "commands", "retry_after": wait})
        raise RateLimited(f"Slow down: too many commands. Try again in {wait} s.",
                          message_fr=f"Ralentissez : trop de commandes. Réessayez dans {wait} s.", retry_after=wait)


async def hit_api_limit(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal) -> None:
    wait = check_rate(kit, "api", str(principal.user_id or principal.actor))
    if wait:
        await audit.record_alone(uow_factory, principal, AuditAction.RATE_LIMITED, AuditOutcome.DENIED,
                                 details={"bucket": "api", "retry_after": wait})
        raise RateLimited(f"Too many requests; try again in {wait} s.",
                          message_fr=f"Trop de requêtes ; réessayez dans {wait} s.", retry_after=wait)


# --- CSRF tokens bound to the login ---------------------------------------------------------------

def csrf_token(kit: SecurityKit, session_family: str) -> str:
    """The double-submit token of one login (its refresh family): an HMAC under the server's pepper, so a
    client can neither choose it nor reuse another session's; stable across refreshes of that login."""
    return kit.token_hasher.hash(f"csrf:{session_family}")


def csrf_token_for_access(kit: SecurityKit, access_token: str) -> str:
    family = kit.access_tokens.verify(access_token, now=kit.now()).jti.split(".", 1)[0]
    return csrf_token(kit, family)


async def refresh_family(uow_factory: UnitOfWorkFactory, kit: SecurityKit, refresh_token: str) -> str | None:
    """The login a refresh token belongs to (None: unknown token)."""
    async with uow_factory() as uow:
        found = await uow.refresh_sessions.get_by_hash(kit.token_hasher.hash(refresh_token))
        return None if found is None else found.family_id


# --- login tickets (the web's second step) ----------------------------------------------------------

LOGIN_TICKET_TTL_S = 300


def _ticket_mac(kit: SecurityKit, payload: str, user: User) -> str:
    return kit.token_hasher.hash(f"login-ticket|{payload}|{user.password_hash}")


def _login_ticket(kit: SecurityKit, user: User, now: float) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"e": user.email, "x": int(now) + LOGIN_TICKET_TTL_S},
                                                  separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_ticket_mac(kit, payload, user)}"


async def issue_login_ticket(uow_factory: UnitOfWorkFactory, kit: SecurityKit, email: str) -> str:
    """After the password was checked and the second factor is asked: a ticket standing for "this password
    step passed", valid 5 minutes, signed with the server pepper and bound to the current password hash
    (a password change voids it), so the second step never carries the password."""
    async with uow_factory() as uow:
        user = await uow.users.get_by_email(normalize_email(email))
    if user is None:
        raise bad_credentials()
    return _login_ticket(kit, user, time.time())


def _ticket_email(ticket: str) -> str | None:
    payload = ticket.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(data["e"]) if int(data["x"]) > time.time() else None
    except (ValueError, KeyError, TypeError):
        return None


def _ticket_valid(kit: SecurityKit, ticket: str, user: User) -> bool:
    payload, _, mac = ticket.partition(".")
    return _ticket_email(ticket) == user.email and hmac.compare_digest(mac, _ticket_mac(kit, payload, user))


def _ticket_expired() -> CredentialRejected:
    return rejected("login_ticket_invalid", "This login step expired; enter your password again.",
                    "Cette étape de connexion a expiré ; saisissez de nouveau votre mot de passe.")


# --- login ---------------------------------------------------------------------------------------

async def _second_factor(uow: UnitOfWork, kit: SecurityKit, user: User, code: str | None,
                         now: datetime) -> tuple[User, str]:
    """Check the TOTP code or recovery code of an enrolled user; the user to save, and how."""
    if not code:
        raise rejected("totp_required",
                       'A two-factor code is required: send "totp" (6 digits) or one of your recovery codes.',
                       "Un code à deux facteurs est requis : envoyez « totp » (6 chiffres) ou un de vos "
                       "codes de secours.")
    assert user.totp_secret is not None and user.id is not None
    if _TOTP_RE.match(code):
        secret = kit.secrets.decrypt_text(user.totp_secret, associated_data=totp_secret_aad(user.id))
        step = kit.totp.verify(secret, code, now=now, last_used_step=user.totp_last_step)
        return dataclasses.replace(user, totp_last_step=step), "totp"
    remaining = kit.recovery.consume(code, user.recovery_codes)
    return dataclasses.replace(user, recovery_codes=tuple(remaining)), "recovery_code"


async def _issue(uow: UnitOfWork, kit: SecurityKit, user: User, now: datetime, info: RequestInfo,
                 family_id: str | None = None, parent: str | None = None) -> tuple[str, str]:
    assert user.id is not None
    refresh = kit.opaque.new_refresh_token()
    session_id = str(uuid.uuid4())
    session = start_family(session_id=session_id, user_id=str(user.id), token_hash=kit.token_hasher.hash(refresh),
                           now=now, ttl=kit.refresh_ttl)
    if family_id is not None:
        session = dataclasses.replace(session, family_id=family_id, parent_id=parent)
    await uow.refresh_sessions.add(session, user_agent=info.user_agent, source_ip=info.source_ip)
    access = kit.access_tokens.issue(subject=str(user.id), role=user.role, now=now,
                                     jti=f"{session.family_id}.{uuid.uuid4().hex}")
    return access, refresh


def _expires_in(kit: SecurityKit, access: str, now: datetime) -> int:
    claims = kit.access_tokens.verify(access, now=now)
    return int((claims.expires_at - now).total_seconds())


def _login_wait(kit: SecurityKit, email: str, address: str, now: float) -> int:
    """Seconds before this (account, address) may try again (0: now); nothing is counted."""
    policy = kit.login_policy
    checks = ((login_throttle.pair_key(email, address), policy.pair),
              (login_throttle.account_key(email), policy.account),
              (login_throttle.address_key(address), policy.address))
    return max(backoff.wait_s(kit.login_failures.get(key, now, policy.forget_after_s), now, policy.forget_after_s)
               for key, backoff in checks)


def _count_failure(kit: SecurityKit, email: str, address: str, now: float) -> None:
    for key in (login_throttle.pair_key(email, address), login_throttle.account_key(email),
                login_throttle.address_key(address)):
        kit.login_failures.add(key, now, kit.login_policy.forget_after_s)


def _clear_failures(kit: SecurityKit, email: str, address: str) -> None:
    """A success clears the pair and the account (not the address: one good account proves nothing
    about the others tried from there)."""
    kit.login_failures.clear(login_throttle.pair_key(email, address))
    kit.login_failures.clear(login_throttle.account_key(email))


async def login(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, *, email: str, password: str, totp: str | None,
    info: RequestInfo, ticket: str | None = None,
) -> TokenPair:
    """Password (+ second factor) login; with `ticket` (`issue_login_ticket`) the password step is the
    ticket's. Failed attempts only are counted, with growing waits (see `domain.security.login_throttle`);
    during a wait the attempt is refused (429) unchecked."""
    email_n = normalize_email(email)[:255]
    address = info.source_ip or "unknown"
    wait = _login_wait(kit, email_n, address, time.time())
    if wait:
        await audit.record_alone(uow_factory, None, AuditAction.RATE_LIMITED, AuditOutcome.DENIED, actor=email_n,
                                 source_ip=info.source_ip, request_id=info.request_id,
                                 details={"bucket": "login", "retry_after": wait})
        raise _rate_limited(wait)
    now = kit.now()
    try:
        async with uow_factory() as uow:
            user = await uow.users.get_by_email(email_n)
            if user is None:
                kit.passwords.burn(password)
                raise _with_reason(bad_credentials(), "unknown_email")
            if ticket is not None:
                if not _ticket_valid(kit, ticket, user):
                    raise _ticket_expired()
            elif not kit.passwords.verify(user.password_hash, password):
                raise _with_reason(bad_credentials(), "bad_password")
            if not user.is_active:
                raise rejected("user_disabled", "This account is disabled; ask an admin.",
                               "Ce compte est désactivé ; adressez-vous à un admin.")
            method = "password"
            if user.totp_enabled:
                user, method = await _second_factor(uow, kit, user, totp, now)
            if ticket is None and kit.passwords.needs_rehash(user.password_hash):
                user = dataclasses.replace(user, password_hash=kit.passwords.hash(password))
            user = await uow.users.update(dataclasses.replace(user, last_login=now))
            access, refresh = await _issue(uow, kit, user, now, info)
            if method == "recovery_code":
                await audit.record(uow, None, AuditAction.RECOVERY_CODE_USED, actor=user.email, target=user.email,
                                   source_ip=info.source_ip, request_id=info.request_id,
                                   details={"remaining": len(user.recovery_codes)})
            await audit.record(uow, None, AuditAction.LOGIN_SUCCEEDED, actor=user.email, target=user.email,
                               source_ip=info.source_ip, request_id=info.request_id,
                               details={"user_id": str(user.id), "second_factor": method})
            await uow.commit()
    except CredentialRejected as exc:
        if exc.reason != "totp_required":  # asking for the second factor is a step, not a failure
            _count_failure(kit, email_n, address, time.time())
        action = (AuditAction.TWO_FACTOR_FAILED if exc.reason.startswith(("totp", "recovery"))
                  else AuditAction.LOGIN_FAILED)
        await audit.record_alone(uow_factory, None, action, AuditOutcome.FAILURE, actor=email_n, target=email_n,
                                 source_ip=info.source_ip, request_id=info.request_id,
                                 details={"reason": exc.reason})
        if exc.reason in ("unknown_email", "bad_password"):
            raise bad_credentials() from None
        raise
    _clear_failures(kit, email_n, address)
    return TokenPair(access, refresh, _expires_in(kit, access, now), user)


def _with_reason(exc: CredentialRejected, reason: str) -> CredentialRejected:
    exc.reason = reason
    return exc


# --- refresh / logout ----------------------------------------------------------------------------

async def refresh(uow_factory: UnitOfWorkFactory, kit: SecurityKit, *, refresh_token: str,
                  info: RequestInfo) -> TokenPair:
    now = kit.now()
    token_hash = kit.token_hasher.hash(refresh_token)
    failure: CredentialRejected
    async with uow_factory() as uow:
        presented = await uow.refresh_sessions.get_by_hash(token_hash)
        if presented is None:
            failure = invalid_refresh_token()
        else:
            family = await uow.refresh_sessions.family(presented.family_id)
            new_refresh = kit.opaque.new_refresh_token()
            result = rotate(presented, family, new_session_id=str(uuid.uuid4()),
                            new_token_hash=kit.token_hasher.hash(new_refresh), now=now, ttl=kit.refresh_ttl)
            user = await uow.users.get(UUID(presented.user_id))
            if result.reuse_detected:
                await uow.refresh_sessions.save(result.updates)
                await audit.record(uow, None, AuditAction.REFRESH_TOKEN_REUSE_DETECTED, AuditOutcome.DENIED,
                                   actor=user.email if user else presented.user_id, target=presented.family_id,
                                   source_ip=info.source_ip, request_id=info.request_id,
                                   details={"family_id": presented.family_id, "revoked": len(result.updates)})
                await uow.commit()
                assert result.error is not None
                raise result.error
            if result.error is not None:
                failure = result.error
            elif user is None or not user.is_active:
                await uow.refresh_sessions.save(revoke_family(family, now=now, reason=RevokeReason.USER_DISABLED))
                await uow.commit()
                failure = _session_revoked()
            else:
                new_session = result.raise_if_refused()
                await uow.refresh_sessions.save(result.updates)
                await uow.refresh_sessions.add(new_session, user_agent=info.user_agent, source_ip=info.source_ip)
                access = kit.access_tokens.issue(subject=str(user.id), role=user.role, now=now,
                                                 jti=f"{new_session.family_id}.{uuid.uuid4().hex}")
                await uow.commit()
                return TokenPair(access, new_refresh, _expires_in(kit, access, now), user)
    await audit.record_alone(uow_factory, None, AuditAction.LOGIN_FAILED, AuditOutcome.FAILURE,
                             source_ip=info.source_ip, request_id=info.request_id,
                             details={"reason": failure.reason, "grant": "refresh_token"})
    raise failure


async def logout(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, *,
                 refresh_token: str | None = None) -> None:
    """End this login (its refresh family, hence its access tokens)."""
    now = kit.now()
    async with uow_factory() as uow:
        families: set[str] = set()
        if principal.session_family:
            families.add(principal.session_family)
        if refresh_token:
            found = await uow.refresh_sessions.get_by_hash(kit.token_hasher.hash(refresh_token))
            if found is not None and found.user_id == str(principal.user_id):
                families.add(found.family_id)
        for family_id in families:
            await uow.refresh_sessions.save(revoke_family(await uow.refresh_sessions.family(family_id), now=now,
                                                          reason=RevokeReason.LOGOUT))
        await audit.record(uow, principal, AuditAction.LOGOUT, target=principal.email,
                           details={"families": len(families)})
        await uow.commit()


async def logout_everywhere(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal) -> None:
    if principal.user_id is None:
        raise _interactive_only()
    async with uow_factory() as uow:
        user = await uow.users.get(principal.user_id)
        assert user is not None
        await revoke_sessions(uow, user, now=kit.now(), reason=RevokeReason.LOGOUT_EVERYWHERE)
        await audit.record(uow, principal, AuditAction.LOGOUT, target=principal.email, details={"everywhere": True})
        await uow.commit()


# --- authentication of requests ----------------------------------------------------------------

async def require_2fa_for_admins(uow: UnitOfWork, kit: SecurityKit) -> bool:
    value = await uow.app_settings.get(REQUIRE_2FA_KEY)
    return kit.require_2fa_for_admins_default if value is None else bool(value)


async def _principal_for(uow: UnitOfWork, kit: SecurityKit, user: User, method: AuthMethod, info: RequestInfo,
                         **extra: Any) -> Principal:
    must_enroll = user.role is Role.ADMIN and not user.totp_enabled and await require_2fa_for_admins(uow, kit)
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=method,
                     source_ip=info.source_ip, request_id=info.request_id, language=user.language,
                     language_chosen=user.language_chosen,
                     admin_network_ok=ip_allowed(info.source_ip or "", kit.admin_allowlist),
                     must_enroll_2fa=must_enroll and method is not AuthMethod.API_TOKEN, **extra)


async def authenticate(uow_factory: UnitOfWorkFactory, kit: SecurityKit, credential: str, *,
                       via_cookie: bool, info: RequestInfo) -> Principal:
    """The principal behind a bearer credential (JWT access token or `cc_pat_` API token);
    `CredentialRejected` (401, audited) otherwise."""
    try:
        if kit.opaque.is_api_token(credential):
            if via_cookie:
                raise _interactive_only()
            return await _authenticate_api_token(uow_factory, kit, credential, info)
        return await _authenticate_access(uow_factory, kit, credential, via_cookie, info)
    except CredentialRejected as exc:
        await audit.record_alone(uow_factory, None, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                 source_ip=info.source_ip, request_id=info.request_id,
                                 details={"reason": exc.reason, "credential": "cookie" if via_cookie else "bearer"})
        raise


async def _authenticate_access(uow_factory: UnitOfWorkFactory, kit: SecurityKit, token: str, via_cookie: bool,
                               info: RequestInfo) -> Principal:
    now = kit.now()
    claims = kit.access_tokens.verify(token, now=now)
    try:
        user_id = UUID(claims.subject)
    except ValueError:
        raise _session_revoked() from None
    family = claims.jti.split(".", 1)[0]
    async with uow_factory() as uow:
        user = await uow.users.get(user_id)
        if user is None or not user.is_active:
            raise _session_revoked()
        valid_after = user.sessions_valid_after
        if valid_after is not None and claims.issued_at < valid_after.replace(microsecond=0):
            raise _session_revoked()
        if not await uow.refresh_sessions.is_family_active(family):
            raise _session_revoked()
        return await _principal_for(uow, kit, user, AuthMethod.COOKIE if via_cookie else AuthMethod.PASSWORD,
                                    info, session_family=family)


async def _authenticate_api_token(uow_factory: UnitOfWorkFactory, kit: SecurityKit, token: str,
                                  info: RequestInfo) -> Principal:
    from chatops_commander.domain.security.api_tokens import check_usable, record_use, use_worth_recording

    now = kit.now()
    async with uow_factory() as uow:
        found = await uow.api_tokens.get_by_hash(kit.token_hasher.hash(token))
        if found is None:
            raise rejected("api_token_unknown", "Unknown API token.", "Jeton d'API inconnu.")
        check_usable(found, now)
        user = await uow.users.get(UUID(found.user_id))
        if user is None or not user.is_active:
            raise _session_revoked()
        if use_worth_recording(found, now):
            await uow.api_tokens.save(record_use(found, now))
        principal = await _principal_for(uow, kit, user, AuthMethod.API_TOKEN, info, scopes=found.scopes,
                                         token_id=UUID(found.id))
        await uow.commit()
        return principal


# --- own account -----------------------------------------------------------------------------------

async def current_user(uow_factory: UnitOfWorkFactory, principal: Principal) -> User:
    if principal.user_id is None:
        raise _interactive_only()
    async with uow_factory() as uow:
        user = await uow.users.get(principal.user_id)
        if user is None:
            raise _session_revoked()
        return user


async def set_language(uow_factory: UnitOfWorkFactory, principal: Principal, language: str) -> User:
    """Your preferred language (en or fr): the chat's fallback, the web UI's default."""
    if language not in ("en", "fr"):
        raise ValidationFailed([("language", "en or fr")])
    user = await current_user(uow_factory, principal)
    if user.language == language and user.language_chosen:
        return user
    async with uow_factory() as uow:
        updated = await uow.users.update(dataclasses.replace(user, language=language, language_chosen=True))
        if user.language != language:
            await audit.record(uow, principal, AuditAction.USER_LANGUAGE_CHANGED, target=user.email,
                               details={"from": user.language, "to": language})
        await uow.commit()
    return updated


async def change_password(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, *,
                          current: str, new: str) -> None:
    """Change one's own password; every session (this one included) is revoked."""
    if not principal.interactive or principal.user_id is None:
        raise _interactive_only()
    async with uow_factory() as uow:
        user = await uow.users.get(principal.user_id)
        assert user is not None
        if not kit.passwords.verify(user.password_hash, current):
            failed = True
        else:
            failed = False
            now = kit.now()
            user = await uow.users.update(dataclasses.replace(
                user, password_hash=hash_new_password(kit, new, user.email), password_changed_at=now))
            await revoke_sessions(uow, user, now=now, reason=RevokeReason.PASSWORD_CHANGED)
            await audit.record(uow, principal, AuditAction.USER_PASSWORD_RESET, target=user.email,
                               details={"self": True, "sessions_revoked": True})
            await uow.commit()
    if failed:
        await audit.record_alone(uow_factory, principal, AuditAction.LOGIN_FAILED, AuditOutcome.FAILURE,
                                 target=principal.email, details={"reason": "bad_password", "grant": "password_change"})
        raise rejected("bad_password", "Your current password is wrong.", "Votre mot de passe actuel est incorrect.")


# --- two-factor authentication ---------------------------------------------------------------------

@dataclass(frozen=True)
class Enrollment:
    uri: str
    qr_svg: str
    secret: str


async def enroll_2fa(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal) -> Enrollment:
    """Start (or restart) TOTP enrolment: a new secret, stored sealed, active after `confirm_2fa`."""
    user = await current_user(uow_factory, principal)
    if not principal.interactive:
        raise _interactive_only()
    if user.totp_enabled:
        raise Conflict("Two-factor authentication is already on; disable it first to enrol a new device.",
                       message_fr="L'authentification à deux facteurs est déjà active ; désactivez-la d'abord "
                                  "pour enrôler un nouvel appareil.")
    enrollment = kit.totp.enroll(user.email)
    async with uow_factory() as uow:
        sealed = kit.secrets.encrypt(enrollment.secret, associated_data=totp_secret_aad(user.id))
        await uow.users.update(dataclasses.replace(user, totp_secret=sealed, totp_last_step=None))
        await uow.commit()
    return Enrollment(enrollment.uri, enrollment.qr_svg, enrollment.secret)


async def confirm_2fa(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, code: str) -> list[str]:
    """Turn TOTP on with a first valid code; returns 10 recovery codes (shown once, stored hashed)."""
    user = await current_user(uow_factory, principal)
    if not principal.interactive:
        raise _interactive_only()
    if user.totp_enabled or user.totp_secret is None:
        raise Conflict("There is no pending enrolment: call /api/v1/auth/2fa/enroll first.",
                       message_fr="Aucun enrôlement en cours : appelez d'abord /api/v1/auth/2fa/enroll.")
    now = kit.now()
    try:
        secret = kit.secrets.decrypt_text(user.totp_secret, associated_data=totp_secret_aad(user.id))
        step = kit.totp.verify(secret, code, now=now, last_used_step=None)
    except CredentialRejected as exc:
        await audit.record_alone(uow_factory, principal, AuditAction.TWO_FACTOR_FAILED, AuditOutcome.FAILURE,
                                 target=user.email, details={"reason": exc.reason, "stage": "enrolment"})
        raise
    codes = kit.recovery.generate()
    async with uow_factory() as uow:
        await uow.users.update(dataclasses.replace(user, totp_enabled=True, totp_last_step=step,
                                                   recovery_codes=tuple(kit.recovery.hash_all(codes))))
        # Every other login of the account ends (one opened before with a stolen password must not
        # outlive the second factor); this one goes on.
        assert user.id is not None
        others = [s for s in await uow.refresh_sessions.for_user(user.id) if s.family_id != principal.session_family]
        ended = revoke_family(others, now=now, reason=RevokeReason.TWO_FACTOR_ENABLED)
        await uow.refresh_sessions.save(ended)
        await audit.record(uow, principal, AuditAction.TWO_FACTOR_ENROLLED, target=user.email,
                           details={"recovery_codes": len(codes),
                                    "other_sessions_ended": len({s.family_id for s in ended})})
        await uow.commit()
    return codes


async def disable_2fa(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, *, password: str,
                      code: str) -> None:
    user = await current_user(uow_factory, principal)
    if not principal.interactive:
        raise _interactive_only()
    if not user.totp_enabled:
        raise Conflict("Two-factor authentication is not on.",
                       message_fr="L'authentification à deux facteurs n'est pas active.")
    now = kit.now()
    try:
        if not kit.passwords.verify(user.password_hash, password):
            raise rejected("bad_password", "Your password is wrong.", "Votre mot de passe est incorrect.")
        async with uow_factory() as uow:
            await _second_factor(uow, kit, user, code, now)
            await uow.users.update(dataclasses.replace(user, totp_enabled=False, totp_secret=None,
                                                       totp_last_step=None, recovery_codes=()))
            await audit.record(uow, principal, AuditAction.TWO_FACTOR_DISABLED, target=user.email)
            await uow.commit()
    except CredentialRejected as exc:
        await audit.record_alone(uow_factory, principal, AuditAction.TWO_FACTOR_FAILED, AuditOutcome.FAILURE,
                                 target=user.email, details={"reason": exc.reason, "stage": "disable"})
        raise



# --- runtime security settings (admin) ---------------------------------------------------------------

async def security_settings(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal) -> dict[str, bool]:
    from chatops_commander.services import access

    await access.require(uow_factory, principal, Role.ADMIN, action="security.settings.read")
    async with uow_factory() as uow:
        return {"require_2fa_for_admins": await require_2fa_for_admins(uow, kit)}


async def set_require_2fa_for_admins(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal,
                                     value: bool) -> dict[str, bool]:
    from chatops_commander.services import access

    await access.require(uow_factory, principal, Role.ADMIN, action="security.settings.update")
    async with uow_factory() as uow:
        await uow.app_settings.put(REQUIRE_2FA_KEY, value, updated_by=principal.actor)
        await audit.record(uow, principal, AuditAction.SECURITY_SETTING_CHANGED, target="security.settings",
                           details={"setting": REQUIRE_2FA_KEY, "value": value})
        await uow.commit()
    return {"require_2fa_for_admins": value}
