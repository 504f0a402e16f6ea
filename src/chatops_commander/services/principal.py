"""Who is acting: the `Principal` every application service receives.

Routes and CLI commands build it (from a JWT, a cookie session, an API token, or the OS user
for the CLI) and pass it down; the services decide what it may do (RBAC in `services.access`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import TokenScope
from chatops_commander.domain.security.audit_events import cli_actor


class AuthMethod(StrEnum):
    PASSWORD = "password"  # noqa: S105  (bearer access token from a password login)
    COOKIE = "cookie"
    API_TOKEN = "api_token"  # noqa: S105
    CLI = "cli"
    SYSTEM = "system"
    CHAT = "chat"  # a chat platform user (Slack, Mattermost, Teams, Matrix) linked to this account


@dataclass(frozen=True)
class Principal:
    user_id: UUID | None
    email: str
    role: Role
    auth_method: AuthMethod
    scopes: frozenset[TokenScope] | None = None  # API tokens only; None: not limited by scopes
    source_ip: str | None = None
    request_id: str | None = None
    token_id: UUID | None = None  # API token id
    session_family: str | None = None  # refresh family of the access token
    admin_network_ok: bool = True  # False when an admin IP allowlist is set and the source is outside
    must_enroll_2fa: bool = False  # "require 2FA for admins" is on and this admin has none yet
    language: str = "en"
    language_chosen: bool = False  # the person set `language` (else it is the account's default)
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def actor(self) -> str:
        return self.email

    @property
    def read_only(self) -> bool:
        """An API token without the `execute` scope: it may only read (no state change of any kind)."""
        return self.scopes is not None and TokenScope.EXECUTE not in self.scopes

    @property
    def interactive(self) -> bool:
        return self.auth_method in (AuthMethod.PASSWORD, AuthMethod.COOKIE)

    @classmethod
    def cli(cls, os_user: str) -> Principal:
        """The CLI acts as an admin named `cli:<os user>` (whoever can run it owns the data dir)."""
        return cls(user_id=None, email=cli_actor(os_user), role=Role.ADMIN, auth_method=AuthMethod.CLI)

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        return cls(user_id=None, email=name, role=Role.ADMIN, auth_method=AuthMethod.SYSTEM)
