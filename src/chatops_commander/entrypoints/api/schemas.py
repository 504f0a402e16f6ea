"""API schemas (pydantic at the edge): strict, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress, StringConstraints

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import ApiToken, TokenScope
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server, ServerStatus
from chatops_commander.domain.users import User

Name = Annotated[str, StringConstraints(min_length=3, max_length=100, pattern=r"^[a-zA-Z0-9._-]+$")]
Hostname = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[a-zA-Z0-9.-]+$")]
SshUser = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-zA-Z_][a-zA-Z0-9_.-]*\$?$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
ServiceName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9@._:-]+$")]
T = TypeVar("T")
KeyPath = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ServerCreate(Strict):
    name: Name
    hostname: Hostname
    ip_address: IPvAnyAddress
    port: int = Field(default=22, ge=1, le=65535, strict=True)
    ssh_user: SshUser
    ssh_key_path: KeyPath | None = None
    become: bool = Field(default=False, strict=True, description="run every command through `sudo -n`")
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    services: list[ServiceName] = Field(default_factory=list, max_length=100)
    host_key_policy: HostKeyPolicy = HostKeyPolicy.KNOWN_HOSTS


class ServerUpdate(Strict):
    name: Name | None = None
    hostname: Hostname | None = None
    ip_address: IPvAnyAddress | None = None
    port: int | None = Field(default=None, ge=1, le=65535, strict=True)
    ssh_user: SshUser | None = None
    ssh_key_path: KeyPath | None = None
    become: bool | None = Field(default=None, strict=True)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    services: list[ServiceName] | None = Field(default=None, max_length=100)
    host_key_policy: HostKeyPolicy | None = None


class ServerRead(BaseModel):
    id: UUID
    name: str
    hostname: str
    ip_address: str
    port: int
    ssh_user: str
    ssh_key_path: str | None
    become: bool
    tags: list[str]
    services: list[str]
    connection: Connection
    host_key_policy: HostKeyPolicy
    host_key_fingerprint: str | None
    status: ServerStatus
    last_check: datetime | None
    created_at: datetime | None

    @classmethod
    def of(cls, s: Server) -> ServerRead:
        assert s.id is not None
        return cls(
            id=s.id, name=s.name, hostname=s.hostname, ip_address=s.ip_address, port=s.port,
            ssh_user=s.ssh_user, ssh_key_path=s.ssh_key_path, become=s.become, tags=list(s.tags),
            services=list(s.services),
            connection=s.connection, host_key_policy=s.host_key_policy,
            host_key_fingerprint=s.host_key_fingerprint, status=s.status, last_check=s.last_check,
            created_at=s.created_at,
        )


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: Literal["ready", "degraded", "not ready"] = Field(
        description="`ready`: every dependency answers; `degraded`: the database answers but Redis (optional) "
                    "does not, so rate limits are per process and chat events stay on each replica; "
                    "`not ready` (503): the database does not answer.")
    database: Literal["ok", "unreachable"]
    redis: Literal["ok", "unreachable", "not_configured"]
    reason: str | None = Field(default=None, description="Why the status is not `ready`.")


# --- security ------------------------------------------------------------------------------------

Email = Annotated[str, StringConstraints(min_length=3, max_length=255)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class LoginRequest(Strict):
    email: Email
    password: Password
    totp: Code | None = Field(default=None, description="6-digit code, or a recovery code, when 2FA is on")


class RefreshRequest(Strict):
    refresh_token: OpaqueToken | None = Field(default=None, description="omit to use the cc_refresh cookie")


class LogoutRequest(Strict):
    refresh_token: OpaqueToken | None = None


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class PasswordReset(Strict):
    password: Password


class TwoFactorEnrollment(BaseModel):
    otpauth_uri: str
    qr_svg: str


class TwoFactorCode(Strict):
    code: Code


class TwoFactorDisable(Strict):
    password: Password
    code: Code


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str]


class UserRead(BaseModel):
    id: UUID
    email: str
    name: str
    role: Role
    is_active: bool
    totp_enabled: bool
    language: str
    created_at: datetime | None
    last_login: datetime | None

    @classmethod
    def of(cls, u: User) -> UserRead:
        assert u.id is not None
        return cls(id=u.id, email=u.email, name=u.name, role=u.role, is_active=u.is_active,
                   totp_enabled=u.totp_enabled, language=u.language, created_at=u.created_at,
                   last_login=u.last_login)


class ProfileUpdate(Strict):
    language: Literal["en", "fr"] = Field(description="the assistant answers in it when a message says too "
                                                     "little to tell, and the web UI uses it")


class MeRead(UserRead):
    auth_method: str
    must_enroll_2fa: bool
    scopes: list[str] | None


class UserCreate(Strict):
    email: Email
    name: PersonName
    role: Role
    password: Password


class UserUpdate(Strict):
    role: Role


class PermissionWrite(Strict):
    can_read: bool = True
    can_execute: bool = False
    can_admin: bool = False


class PermissionRead(BaseModel):
    server_id: UUID
    server_name: str
    can_read: bool
    can_execute: bool
    can_admin: bool


class TagPermissionRead(BaseModel):
    tag: str
    can_read: bool
    can_execute: bool
    can_admin: bool


class TokenCreate(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    scopes: list[TokenScope] = Field(min_length=1, max_length=2)
    expires_in_days: int = Field(default=90, ge=1, le=366, strict=True)


class TokenRotate(Strict):
    grace_hours: int = Field(default=24, ge=0, le=168, strict=True)


class TokenRead(BaseModel):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    valid_until: datetime | None = Field(description="end of the grace period after a rotation")

    @classmethod
    def of(cls, t: ApiToken) -> TokenRead:
        return cls(id=UUID(t.id), name=t.name, prefix=t.display_prefix, scopes=sorted(t.scopes),
                   created_at=t.created_at, expires_at=t.expires_at, last_used_at=t.last_used_at,
                   revoked_at=t.revoked_at, valid_until=t.grace_until)


class TokenCreated(TokenRead):
    token: str = Field(description="shown once: store it now")


class AuditRecord(BaseModel):
    seq: int
    id: str
    occurred_at: str
    actor: str
    action: str
    outcome: str
    target: str | None
    source_ip: str | None
    request_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerification(BaseModel):
    ok: bool
    checked: int
    problem: str | None
    first_bad_seq: int | None
    first_bad_id: str | None
    message: str
    checkpoint_seq: int | None = Field(default=None, description="The signed checkpoint (kept outside the "
                                       "database) the chain was verified against: its row.")
    checkpoint_at: str | None = None
    coverage: list[str] = Field(default_factory=list, description="What the check rests on and which rows "
                                "nothing outside the database vouches for.")


class SecuritySettings(Strict):
    require_2fa_for_admins: bool


class ServerSecret(Strict):
    kind: Literal["private_key", "password"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=65536)]
