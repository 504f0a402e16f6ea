"""API tokens for bots and CI (seed "API key rotation"): scopes, expiry, rotation with grace.

Scopes: `read` allows actions needing no permission or `read`; `execute` also allows
`execute`. Actions needing the `admin` permission are never reachable with an API token
(least privilege: administration goes through an interactive, 2FA-capable login). The
owner's role and per-server permissions still apply on top (see `authorization`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chatops_commander.domain.errors import Conflict, PermissionDenied
from chatops_commander.domain.roles import Permission
from chatops_commander.domain.security.errors import rejected
from chatops_commander.domain.security.policy_problems import PolicyProblem, PolicyRejected

MAX_LIFETIME = timedelta(days=366)
MAX_GRACE = timedelta(days=7)
NAME_MAX = 100


class TokenScope(StrEnum):
    READ = "read"
    EXECUTE = "execute"


@dataclass(frozen=True)
class ApiToken:
    id: str
    user_id: str
    name: str
    token_hash: str
    scopes: frozenset[TokenScope]
    created_at: datetime
    expires_at: datetime | None
    display_prefix: str = ""  # e.g. "cc_pat_Ab12" to recognise it in lists; never the secret
    revoked_at: datetime | None = None
    grace_until: datetime | None = None  # set on rotation: still valid until then
    replaced_by: str | None = None
    last_used_at: datetime | None = None

    def is_valid(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        if self.expires_at is not None and now >= self.expires_at:
            return False
        return not (self.grace_until is not None and now >= self.grace_until)


def validate_new_token(name: str, scopes: Iterable[str], expires_at: datetime | None,
                       now: datetime) -> frozenset[TokenScope]:
    problems: list[PolicyProblem] = []
    if not name.strip() or len(name) > NAME_MAX:
        problems.append(PolicyProblem("bad_name", f"name must be 1 to {NAME_MAX} characters",
                                      f"le nom doit contenir de 1 à {NAME_MAX} caractères"))
    parsed: set[TokenScope] = set()
    for scope in scopes:
        try:
            parsed.add(TokenScope(scope))
        except ValueError:
            problems.append(PolicyProblem("bad_scope", f"unknown scope {scope!r} (read, execute)",
                                          f"portée inconnue {scope!r} (read, execute)"))
    if not parsed and not problems:
        problems.append(PolicyProblem("no_scope", "at least one scope is needed (read, execute)",
                                      "il faut au moins une portée (read, execute)"))
    if expires_at is not None and not now < expires_at <= now + MAX_LIFETIME:
        problems.append(PolicyProblem("bad_expiry", "expiry must be in the future and within 366 days",
                                      "l'expiration doit être future et à moins de 366 jours"))
    if problems:
        raise PolicyRejected("api_token", problems)
    return frozenset(parsed)


def check_usable(token: ApiToken, now: datetime) -> None:
    """Raise `CredentialRejected` if revoked, expired, or rotated and past its grace period."""
    if token.revoked_at is not None:
        raise rejected("api_token_revoked", "This API token was revoked.", "Ce jeton d'API a été révoqué.")
    if token.expires_at is not None and now >= token.expires_at:
        raise rejected("api_token_expired", "This API token has expired.", "Ce jeton d'API a expiré.")
    if token.grace_until is not None and now >= token.grace_until:
        raise rejected("api_token_rotated", "This API token was replaced and its grace period is over.",
                       "Ce jeton d'API a été remplacé et son délai de grâce est écoulé.")


def scope_permits(scopes: frozenset[TokenScope], permission: Permission) -> bool:
    if permission in (Permission.NONE, Permission.READ):
        return bool(scopes)
    if permission is Permission.EXECUTE:
        return TokenScope.EXECUTE in scopes
    return False


def check_scope(token: ApiToken, permission: Permission) -> None:
    if not scope_permits(token.scopes, permission):
        raise PermissionDenied(
            f"This API token's scopes ({', '.join(sorted(token.scopes))}) do not allow "
            f"{permission.value} actions.",
            message_fr=f"Les portées de ce jeton d'API ({', '.join(sorted(token.scopes))}) "
                       f"ne permettent pas les actions {permission.value}.")


# "Last used" is shown to the minute: a token used again within it is not written again (one database
# write per token per minute instead of one per request — an agent's MCP calls, a script's polling).
LAST_USE_GRANULARITY = timedelta(minutes=1)


def record_use(token: ApiToken, now: datetime) -> ApiToken:
    return dataclasses.replace(token, last_used_at=now)


def use_worth_recording(token: ApiToken, now: datetime) -> bool:
    """Whether `now` changes what "last used" says (never used, or last used a minute ago or more)."""
    return token.last_used_at is None or now - token.last_used_at >= LAST_USE_GRANULARITY


def revoke(token: ApiToken, now: datetime) -> ApiToken:
    return token if token.revoked_at is not None else dataclasses.replace(token, revoked_at=now)


def rotate(old: ApiToken, *, new_id: str, new_token_hash: str, new_display_prefix: str,
           now: datetime, grace: timedelta) -> tuple[ApiToken, ApiToken]:
    """(old updated, new). The old token stays valid until now + grace (0 ≤ grace ≤ 7 days);
    the new one keeps name, scopes, owner and lifetime length."""
    check_usable(old, now)
    if old.replaced_by is not None:
        raise Conflict("This API token was already rotated.",
                       message_fr="Ce jeton d'API a déjà été remplacé.")
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise PolicyRejected("grace", [PolicyProblem(
            "bad_grace", "grace period must be between 0 and 7 days",
            "le délai de grâce doit être compris entre 0 et 7 jours")])
    lifetime = None if old.expires_at is None else old.expires_at - old.created_at
    new = ApiToken(id=new_id, user_id=old.user_id, name=old.name, token_hash=new_token_hash,
                   scopes=old.scopes, created_at=now,
                   expires_at=None if lifetime is None else now + lifetime,
                   display_prefix=new_display_prefix)
    grace_until = now + grace
    if old.expires_at is not None:
        grace_until = min(grace_until, old.expires_at)
    return dataclasses.replace(old, grace_until=grace_until, replaced_by=new_id), new
