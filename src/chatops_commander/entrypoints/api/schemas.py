"""API schemas (pydantic at the edge): strict, unknown fields refused."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import ApiToken, TokenScope
from chatops_commander.domain.security.password_policy import MAX_LENGTH as PASSWORD_MAX
from chatops_commander.domain.security.password_policy import MIN_LENGTH as PASSWORD_MIN
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server, ServerStatus
from chatops_commander.domain.users import EMAIL_RE, User

# --- what the schema says is exactly what is accepted (schemathesis `--checks all`, issue 14) -----------------


def _json_integer(value: object) -> object:
    """JSON Schema's `integer`: 300 and 300.0 (same number), never true, "300" or 300.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


def _ip_address(value: object) -> str:
    """An IPv4 or IPv6 address as a string (not a number, which Python's ipaddress would take)."""
    if not isinstance(value, str):
        raise ValueError("must be an IPv4 or IPv6 address, as a string")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value[:60]!r} is not an IPv4 or IPv6 address") from None


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$")


def _iso_datetime(value: object) -> object:
    """`format: date-time` (RFC 3339: with its time zone), not the Unix timestamps pydantic would also take."""
    if isinstance(value, str) and not _ISO_DATETIME.match(value):
        raise ValueError("must be a date-time with its time zone, like 2026-11-30T17:00:00Z")
    return value


def _integer(low: int, high: int) -> Any:
    return WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


Port = Annotated[int, BeforeValidator(_json_integer), Field(strict=True, ge=1, le=65535), _integer(1, 65535)]
ExpiryDays = Annotated[int, BeforeValidator(_json_integer), Field(strict=True, ge=1, le=366), _integer(1, 366)]
GraceHours = Annotated[int, BeforeValidator(_json_integer), Field(strict=True, ge=0, le=168), _integer(0, 168)]
Bool = Annotated[bool, Field(strict=True)]  # true / false, not 0, 1, "yes"
IpAddress = Annotated[str, BeforeValidator(_ip_address), WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]})]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

# Text never holds U+0000: PostgreSQL cannot store it, and no e-mail, password, name or message needs it.
NO_NUL = r"^[^\x00]*$"
# Not only blank: at least one character that Python's str.isspace() does not count as space (the characters are
# spelled out because Python's, Rust's and ECMAScript's `\s` differ), and no U+0000.
NOT_BLANK = (r"^[^\x00]*[^\x00\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
             r"\u3000][^\x00]*$")
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
    ip_address: IpAddress
    port: Port = 22
    ssh_user: SshUser
    ssh_key_path: KeyPath | None = None
    become: bool = Field(default=False, strict=True, description="run every command through `sudo -n`")
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    services: list[ServiceName] = Field(default_factory=list, max_length=100)
    host_key_policy: HostKeyPolicy = HostKeyPolicy.KNOWN_HOSTS


class ServerUpdate(Strict):
    name: Name | None = None
    hostname: Hostname | None = None
    ip_address: IpAddress | None = None
    port: Port | None = None
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

Email = Annotated[str, StringConstraints(min_length=3, max_length=255, pattern=NO_NUL)]
NewEmail = Annotated[str, StringConstraints(min_length=3, max_length=255, pattern=EMAIL_RE.pattern)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=NO_NUL)]
NewPassword = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX, pattern=NO_NUL), Field(
    description=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters; also refused (422 `validation_failed` on this field): "
                "the account's e-mail address or its local part, a commonly used password, one character repeated")]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=NO_NUL)]


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
    new_password: NewPassword


class PasswordReset(Strict):
    password: NewPassword


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
    email: NewEmail
    name: PersonName
    role: Role
    password: NewPassword


class UserUpdate(Strict):
    role: Role


class PermissionWrite(Strict):
    can_read: Bool = True
    can_execute: Bool = False
    can_admin: Bool = False


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
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
    scopes: list[TokenScope] = Field(min_length=1, max_length=2)
    expires_in_days: ExpiryDays = 90


class TokenRotate(Strict):
    grace_hours: GraceHours = 24


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
    require_2fa_for_admins: Bool


class ServerSecret(Strict):
    kind: Literal["private_key", "password"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=65536, pattern=NO_NUL)]
