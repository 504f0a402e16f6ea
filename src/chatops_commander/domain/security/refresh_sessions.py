"""Refresh-token rotation as a pure state machine.

A login starts a *family*. Each use of a refresh token rotates it: the presented session is
marked `rotated_at` and a child session (same family, `parent_id` = the old id) is issued.
Presenting a token that was already rotated means it was stolen or replayed: the whole
family is revoked and the request refused. Tokens themselves never reach this module, only
their hashes (see adapters.security.opaque_tokens).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chatops_commander.domain.security.errors import CredentialRejected, rejected

REFRESH_TTL = timedelta(days=7)


class RevokeReason:
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    REUSE_DETECTED = "reuse_detected"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    ROLE_CHANGED = "role_changed"
    USER_DISABLED = "user_disabled"
    TWO_FACTOR_RESET = "two_factor_reset"
    TWO_FACTOR_ENABLED = "two_factor_enabled"


@dataclass(frozen=True)
class RefreshSession:
    id: str
    family_id: str
    user_id: str
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    parent_id: str | None = None
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.rotated_at is None and self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class RotationResult:
    """What to persist (`updates`, then `new_session`) and whether the request is accepted."""

    new_session: RefreshSession | None
    updates: tuple[RefreshSession, ...]
    reuse_detected: bool = False
    error: CredentialRejected | None = None

    @property
    def accepted(self) -> bool:
        return self.error is None

    def raise_if_refused(self) -> RefreshSession:
        if self.error is not None:
            raise self.error
        assert self.new_session is not None
        return self.new_session


def invalid_refresh_token() -> CredentialRejected:
    """For a token that matches no stored session (unknown, malformed)."""
    return rejected("refresh_invalid", "Your session is invalid; please log in again.",
                    "Votre session n'est pas valide ; reconnectez-vous.")


def start_family(*, session_id: str, user_id: str, token_hash: str, now: datetime,
                 ttl: timedelta = REFRESH_TTL) -> RefreshSession:
    return RefreshSession(id=session_id, family_id=session_id, user_id=user_id,
                          token_hash=token_hash, issued_at=now, expires_at=now + ttl)


def revoke_family(
    family: Iterable[RefreshSession], *, now: datetime, reason: str,
) -> tuple[RefreshSession, ...]:
    """The sessions that change (those not yet revoked), now revoked. Also for "log out
    everywhere" / password or role change: pass every session of the user."""
    return tuple(dataclasses.replace(s, revoked_at=now, revoked_reason=reason)
                 for s in family if s.revoked_at is None)


def rotate(presented: RefreshSession, family: Iterable[RefreshSession], *, new_session_id: str,
           new_token_hash: str, now: datetime, ttl: timedelta = REFRESH_TTL) -> RotationResult:
    """Use `presented` (found by its token hash); `family` is every session of its family."""
    if presented.revoked_at is not None:
        return RotationResult(None, (), error=rejected(
            "refresh_revoked", "This session was revoked; please log in again.",
            "Cette session a été révoquée ; reconnectez-vous."))
    if presented.rotated_at is not None:
        members = [s for s in family if s.family_id == presented.family_id]
        if all(s.id != presented.id for s in members):
            members.append(presented)
        return RotationResult(
            None, revoke_family(members, now=now, reason=RevokeReason.REUSE_DETECTED),
            reuse_detected=True, error=rejected(
                "refresh_reused",
                "This refresh token was already used: every session of this login has been "
                "revoked for safety. Please log in again.",
                "Ce jeton de rafraîchissement a déjà servi : toutes les sessions de cette connexion "
                "ont été révoquées par sécurité. Reconnectez-vous."))
    if now >= presented.expires_at:
        return RotationResult(None, (), error=rejected(
            "refresh_expired", "Your session has expired; please log in again.",
            "Votre session a expiré ; reconnectez-vous."))
    child = RefreshSession(id=new_session_id, family_id=presented.family_id, user_id=presented.user_id,
                           token_hash=new_token_hash, issued_at=now, expires_at=now + ttl,
                           parent_id=presented.id)
    return RotationResult(child, (dataclasses.replace(presented, rotated_at=now),))
