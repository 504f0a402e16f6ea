"""The security components the services need, as ports (wired in `bootstrap`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chatops_commander.domain.security.ip_allowlist import Network
from chatops_commander.domain.security.login_throttle import LoginPolicy
from chatops_commander.services.ports import (
    AccessTokenCodec,
    AuditKeyring,
    FailureStore,
    OpaqueTokens,
    PasswordHasher,
    RateLimits,
    RecoveryCodes,
    SecretSealer,
    TokenHasher,
    TotpAuthenticator,
)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class SecurityKit:
    passwords: PasswordHasher
    access_tokens: AccessTokenCodec
    token_hasher: TokenHasher
    opaque: OpaqueTokens
    totp: TotpAuthenticator
    recovery: RecoveryCodes
    secrets: SecretSealer
    limits: RateLimits
    common_passwords: frozenset[str]
    login_failures: FailureStore
    audit_keys: AuditKeyring
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    trusted_proxies: Sequence[Network] = ()  # whose X-Forwarded-For is believed
    refresh_ttl: timedelta = timedelta(days=7)
    admin_allowlist: Sequence[Network] = ()
    require_2fa_for_admins_default: bool = False

    def now(self) -> datetime:
        return datetime.now(UTC)


def server_secret_aad(server_id: object) -> bytes:
    """Associated data binding a sealed SSH secret to its server row."""
    return f"server:{server_id}:ssh".encode()


def totp_secret_aad(user_id: object) -> bytes:
    return f"user:{user_id}:totp".encode()
