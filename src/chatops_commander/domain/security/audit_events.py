"""Audit events: what is recorded for every security-relevant action.

`details` is normalized to JSON-native values at construction (datetimes → ISO-8601 UTC
strings, tuples → lists, enums → values, UUIDs → strings), so an event read back from a JSON
column hashes exactly like the one that was written.
"""

# ruff: noqa: S105  (event names such as TOKEN_ISSUED are not secrets)

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID


class AuditAction(StrEnum):
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGOUT = "LOGOUT"
    TWO_FACTOR_ENROLLED = "TWO_FACTOR_ENROLLED"
    TWO_FACTOR_VERIFIED = "TWO_FACTOR_VERIFIED"
    TWO_FACTOR_FAILED = "TWO_FACTOR_FAILED"
    TWO_FACTOR_DISABLED = "TWO_FACTOR_DISABLED"
    TWO_FACTOR_RESET = "TWO_FACTOR_RESET"  # by an admin, for a user who lost their authenticator
    RECOVERY_CODE_USED = "RECOVERY_CODE_USED"
    TOKEN_ISSUED = "TOKEN_ISSUED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    TOKEN_ROTATED = "TOKEN_ROTATED"
    REFRESH_TOKEN_REUSE_DETECTED = "REFRESH_TOKEN_REUSE_DETECTED"
    USER_CREATED = "USER_CREATED"
    USER_ROLE_CHANGED = "USER_ROLE_CHANGED"
    USER_DISABLED = "USER_DISABLED"
    USER_ENABLED = "USER_ENABLED"
    USER_PASSWORD_RESET = "USER_PASSWORD_RESET"
    USER_LANGUAGE_CHANGED = "USER_LANGUAGE_CHANGED"  # one's own preferred language (the chat's, the web UI's)
    PERMISSION_CHANGED = "PERMISSION_CHANGED"
    SECURITY_SETTING_CHANGED = "SECURITY_SETTING_CHANGED"  # e.g. require_2fa_for_admins
    SERVER_ADDED = "SERVER_ADDED"
    SERVER_UPDATED = "SERVER_UPDATED"
    SERVER_REMOVED = "SERVER_REMOVED"
    AUTHORIZATION_DENIED = "AUTHORIZATION_DENIED"
    RATE_LIMITED = "RATE_LIMITED"
    COMMAND_STARTED = "COMMAND_STARTED"  # written ahead, before the command is sent
    COMMAND_EXECUTED = "COMMAND_EXECUTED"
    COMMAND_INTERRUPTED = "COMMAND_INTERRUPTED"  # found running at start-up: the server stopped meanwhile
    COMMAND_REFUSED = "COMMAND_REFUSED"
    CONFIRMATION_REPLAYED = "CONFIRMATION_REPLAYED"
    CONFIRMATION_EXPIRED = "CONFIRMATION_EXPIRED"
    CONFIRMATION_FORGED = "CONFIRMATION_FORGED"
    APPROVAL_REQUESTED = "APPROVAL_REQUESTED"
    APPROVAL_APPROVED = "APPROVAL_APPROVED"
    APPROVAL_REJECTED = "APPROVAL_REJECTED"
    DEPLOYMENT_INTERRUPTED = "DEPLOYMENT_INTERRUPTED"
    ALERT_RESOLVED = "ALERT_RESOLVED"  # by hand (the collector's own resolutions are alert events, not audit)
    KEY_ROTATED = "KEY_ROTATED"
    CHAT_IDENTITY_LINKED = "CHAT_IDENTITY_LINKED"  # a chat platform user bound to an account
    CHAT_IDENTITY_UNLINKED = "CHAT_IDENTITY_UNLINKED"
    CHANNEL_POLICY_CHANGED = "CHANNEL_POLICY_CHANGED"


@dataclass(frozen=True)
class AuditDraft:
    """An event to append (the chain fields are filled by the store): for appending several at once."""

    actor: str
    action: AuditAction
    outcome: AuditOutcome
    occurred_at: datetime
    target: str | None = None
    source_ip: str | None = None
    request_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


def cli_actor(os_user: str) -> str:
    """Actor string for a change made from the CLI without a logged-in user."""
    return f"cli:{os_user}"


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with microseconds and a `Z`; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def json_native(value: Any) -> Any:
    """Convert to JSON-native types (dict with str keys, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("audit details cannot hold NaN or infinity")
        return value
    if isinstance(value, Enum):
        return json_native(value.value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit details keys must be strings, got {type(key).__name__}")
            out[key] = json_native(item)
        return out
    if isinstance(value, list | tuple):
        return [json_native(item) for item in value]
    raise TypeError(f"audit details cannot hold a {type(value).__name__}")


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    id: str
    occurred_at: datetime
    actor: str  # user id or e-mail, `cli:<os user>`, or "anonymous"
    action: AuditAction
    outcome: AuditOutcome
    target: str | None = None
    source_ip: str | None = None
    request_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
    hash_kid: str | None = None  # the key that sealed the row (HMAC); None: a row sealed before keying

    def __post_init__(self) -> None:
        iso_utc(self.occurred_at)  # refuses naive datetimes early
        object.__setattr__(self, "action", AuditAction(self.action))
        object.__setattr__(self, "outcome", AuditOutcome(self.outcome))
        object.__setattr__(self, "details", json_native(dict(self.details)))

    def payload(self) -> dict[str, Any]:
        """Every hashed field (everything except `prev_hash` and `hash`), JSON-native."""
        return {
            "seq": self.seq, "id": self.id, "occurred_at": iso_utc(self.occurred_at),
            "actor": self.actor, "action": self.action.value, "outcome": self.outcome.value,
            "target": self.target, "source_ip": self.source_ip, "request_id": self.request_id,
            "details": self.details,
        }

    def as_record(self) -> dict[str, Any]:
        """The payload plus the chain fields: one JSON line of `audit.log` / an export row."""
        record = {**self.payload(), "prev_hash": self.prev_hash, "hash": self.hash}
        if self.hash_kid is not None:
            record["hash_kid"] = self.hash_kid
        return record
