"""Database tables: the seed's schema ("Schéma PostgreSQL") plus what security and audit need.

Tables are declared with SQLAlchemy Core metadata and mapped imperatively nowhere: repositories
translate rows to domain dataclasses, so the domain never sees SQLAlchemy.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from chatops_commander.adapters.db.types import IPAddress, JSONType, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _id() -> Column[uuid.UUID]:
    return Column("id", Uuid, primary_key=True, default=uuid.uuid4)


def _created() -> Column[object]:
    return Column("created_at", UTCDateTime, nullable=False, default=utcnow)


users = Table(
    "users", metadata,
    _id(),
    Column("email", String(255), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("language", String(5), nullable=False, default="en"),
    Column("language_chosen", Boolean, nullable=False, default=False, server_default=false()),
    Column("theme", String(10), nullable=False, default="dark"),
    Column("totp_secret", Text),  # encrypted (secret box)
    Column("totp_enabled", Boolean, nullable=False, default=False),
    Column("totp_last_step", BigInteger),
    Column("recovery_codes", JSONType),  # list of hashes
    Column("password_changed_at", UTCDateTime),
    Column("sessions_valid_after", UTCDateTime),  # tokens issued before are revoked
    _created(),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    Column("last_login", UTCDateTime),
    CheckConstraint("role IN ('admin', 'operator', 'viewer')", name="role"),
)

servers = Table(
    "servers", metadata,
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    Column("hostname", String(255), nullable=False),
    Column("ip_address", IPAddress, nullable=False),
    Column("port", Integer, nullable=False, default=22),
    Column("ssh_user", String(50), nullable=False),
    Column("ssh_key_path", String(255)),
    Column("become", Boolean, nullable=False, default=False, server_default=text("false")),
    Column("ssh_secret", Text),  # encrypted private key or password (secret box)
    Column("tags", JSONType, nullable=False, default=list),
    Column("services", JSONType, nullable=False, default=list),
    Column("connection", String(10), nullable=False, default="ssh"),
    Column("host_key_policy", String(20), nullable=False, default="known_hosts"),
    Column("host_key_fingerprint", String(255)),
    Column("status", String(20), nullable=False, default="unknown"),
    Column("last_check", UTCDateTime),
    _created(),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    Column("created_by", Uuid, ForeignKey("users.id", ondelete="SET NULL")),
    CheckConstraint("status IN ('online', 'offline', 'unknown', 'error')", name="status"),
    CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
)

conversations = Table(
    "conversations", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(255)),
    Column("context", JSONType),  # the parser's conversation state
    _created(),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    Index("idx_conversations_user", "user_id", "updated_at"),
)

messages = Table(
    "messages", metadata,
    _id(),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(10), nullable=False),
    Column("content", Text, nullable=False),
    Column("metadata", JSONType),
    _created(),
    CheckConstraint("role IN ('user', 'assistant')", name="role"),
    Index("idx_messages_conversation", "conversation_id", "created_at"),
)

commands = Table(
    "commands", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="SET NULL")),
    Column("server_id", Uuid, ForeignKey("servers.id", ondelete="SET NULL")),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="SET NULL")),
    Column("actor", String(255)),  # email or cli:<os user>, kept when the user is deleted
    Column("server_name", String(100)),
    Column("action", String(100)),
    Column("command", Text, nullable=False),
    Column("parsed_intent", JSONType),
    Column("output", Text),
    Column("exit_code", Integer),
    Column("outcome", String(30)),
    Column("risk_level", String(20)),
    Column("confirmed", Boolean, nullable=False, default=False),
    Column("executed_at", UTCDateTime, nullable=False, default=utcnow),
    Column("duration_ms", Integer),
    # migration 0007: written ahead (pending → running → succeeded | failed | timed_out | interrupted; refused)
    Column("state", String(20), nullable=False, default="succeeded", server_default="succeeded"),
    Column("door", String(20)),  # web | rest | ws | cli | slack | … (where the request came from)
    Column("finished_at", UTCDateTime),
    Index("idx_commands_user", "user_id"),
    Index("idx_commands_server", "server_id"),
    Index("idx_commands_executed", text("executed_at DESC")),
    Index("idx_commands_user_date", "user_id", text("executed_at DESC")),
)

permissions = Table(
    "permissions", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("server_id", Uuid, ForeignKey("servers.id", ondelete="CASCADE"), nullable=False),
    Column("can_read", Boolean, nullable=False, default=True),
    Column("can_execute", Boolean, nullable=False, default=False),
    Column("can_admin", Boolean, nullable=False, default=False),
    _created(),
    UniqueConstraint("user_id", "server_id", name="uq_permissions_user_server"),
)

tag_permissions = Table(  # migration 0008: a grant on every server carrying `tag`
    "tag_permissions", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(64), nullable=False),
    Column("can_read", Boolean, nullable=False, default=True),
    Column("can_execute", Boolean, nullable=False, default=False),
    Column("can_admin", Boolean, nullable=False, default=False),
    _created(),
    UniqueConstraint("user_id", "tag", name="uq_tag_permissions_user_tag"),
)

alerts = Table(
    "alerts", metadata,
    _id(),
    Column("server_id", Uuid, ForeignKey("servers.id", ondelete="CASCADE")),
    Column("type", String(50), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("message", Text, nullable=False),
    Column("source", String(30), nullable=False, default="rules"),
    Column("fingerprint", String(255)),
    Column("resolved", Boolean, nullable=False, default=False),
    _created(),
    Column("resolved_at", UTCDateTime),
    CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity"),
    Index("idx_alerts_unresolved", "server_id", "resolved", sqlite_where=text("NOT resolved"),
          postgresql_where=text("NOT resolved")),
)

audit_events = Table(
    "audit_events", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("id", Uuid, nullable=False, unique=True, default=uuid.uuid4),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(255)),
    Column("outcome", String(30), nullable=False),
    Column("source_ip", String(45)),
    Column("request_id", String(64)),
    Column("details", JSONType),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("hash_kid", String(32)),  # migration 0008: the audit key that sealed the row; NULL: unkeyed (older)
    Index("idx_audit_occurred", "occurred_at"),
    Index("idx_audit_actor", "actor"),
)

refresh_sessions = Table(
    "refresh_sessions", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("parent_id", Uuid),
    Column("rotated_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoked_reason", String(30)),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("user_agent", String(255)),
    Column("source_ip", String(45)),
    _created(),
    Index("idx_refresh_family", "family_id"),
    Index("idx_refresh_user", "user_id"),
)

api_tokens = Table(
    "api_tokens", metadata,
    _id(),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("prefix", String(32), nullable=False),
    Column("scopes", JSONType, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("grace_until", UTCDateTime),  # set on the old token when rotated
    Column("rotated_to", Uuid),
    Column("last_used_at", UTCDateTime),
    _created(),
    Index("idx_api_tokens_user", "user_id"),
)

app_settings = Table(
    "app_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSONType, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow),
    Column("updated_by", String(255)),
)

# --- conversation engine (migration 0004) -----------------------------------------------------------

confirmations = Table(
    "confirmations", metadata,
    Column("id", String(64), primary_key=True),  # the token shown on the card
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(100), nullable=False),
    Column("targets", JSONType, nullable=False),
    Column("service", String(128)),
    Column("parameters", JSONType, nullable=False),
    Column("risk_level", String(20), nullable=False),
    Column("action_hash", String(64), nullable=False),
    Column("state", String(20), nullable=False, default="pending"),
    Column("lang", String(5), nullable=False, default="en"),
    Column("text", Text, nullable=False, default=""),
    Column("extra", JSONType),
    _created(),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    CheckConstraint("state IN ('pending', 'confirmed', 'cancelled', 'expired')", name="state"),
    Index("idx_confirmations_conversation", "conversation_id", "state"),
)

approvals = Table(
    "approvals", metadata,
    _id(),
    Column("requester_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("requester", String(255), nullable=False),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(100), nullable=False),
    Column("targets", JSONType, nullable=False),
    Column("service", String(128)),
    Column("parameters", JSONType, nullable=False),
    Column("risk_level", String(20), nullable=False),
    Column("action_hash", String(64), nullable=False),
    Column("state", String(20), nullable=False, default="requested"),
    Column("lang", String(5), nullable=False, default="en"),
    Column("text", Text, nullable=False, default=""),
    Column("decided_by", String(255)),
    Column("decided_by_id", Uuid),
    Column("decided_at", UTCDateTime),
    Column("reason", Text),
    _created(),
    Column("expires_at", UTCDateTime),  # migration 0007
    CheckConstraint("state IN ('requested', 'approved', 'rejected')", name="state"),
    Index("idx_approvals_state", "state", "created_at"),
)

# --- deployment history (migration 0005) ---------------------------------------------------------------

deployments = Table(
    "deployments", metadata,
    _id(),
    Column("application", String(64), nullable=False),
    Column("environment", String(64)),
    Column("version", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("state", String(20), nullable=False, default="running"),
    Column("hosts", JSONType, nullable=False),
    Column("requested_by", String(255), nullable=False),
    Column("approved_by", String(255)),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="SET NULL")),
    Column("failed_step", Integer),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    CheckConstraint("kind IN ('deploy', 'rollback')", name="kind"),
    CheckConstraint("state IN ('running', 'succeeded', 'failed', 'interrupted')", name="state"),
    Index("idx_deployments_application", "application", "started_at"),
)

# --- chat platforms (migration 0009): linked chat identities, channel policies, link requests, button nonces ---

chat_identities = Table(
    "chat_identities", metadata,
    Column("platform", String(16), primary_key=True),
    Column("user_id", String(255), primary_key=True),
    Column("account_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("workspace", String(255), nullable=False, default=""),
    Column("display_name", String(255), nullable=False, default=""),
    Column("linked_by", String(255), nullable=False, default=""),
    Column("linked_at", UTCDateTime, nullable=False, default=utcnow),
    Index("idx_chat_identities_account", "account_id"),
)

channel_policies = Table(
    "channel_policies", metadata,
    Column("platform", String(16), primary_key=True),
    Column("channel_id", String(255), primary_key=True),
    Column("actions", JSONType, nullable=False),
    Column("tags", JSONType, nullable=False),
    Column("max_risk", String(16), nullable=False),
    Column("updated_by", String(255), nullable=False, default=""),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow),
)

chat_link_requests = Table(
    "chat_link_requests", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("workspace", String(255), nullable=False, default=""),
    Column("display_name", String(255), nullable=False, default=""),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

chat_button_nonces = Table(
    "chat_button_nonces", metadata,
    Column("nonce", String(64), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("idx_chat_button_nonces_expires", "expires_at"),
)

platform_conversations = Table(
    "platform_conversations", metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("key", Text, nullable=False),
    Column("account_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", Uuid, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Index("idx_platform_conversations_conversation", "conversation_id"),
)

# --- cards a bot posted (migration 0010): a reaction or reply on one still counts after the bot restarts ---

platform_cards = Table(
    "platform_cards", metadata,
    Column("platform", String(16), primary_key=True),
    Column("message_id", String(255), primary_key=True),  # Matrix event id
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("fields", JSONType, nullable=False),  # [[label, value], …]
    Column("buttons", JSONType, nullable=False),  # [{label, payload (signed by the door), style}, …]
    Column("expires_at", UTCDateTime),  # the card's own expiry
    Column("workspace", String(255), nullable=False, default=""),
    Column("channel_id", String(255), nullable=False),
    Column("thread_id", String(255)),
    Column("direct", Boolean, nullable=False, default=False),
    Column("owner_id", String(255)),  # who may answer a confirm / choose card; NULL: anyone (approval cards)
    Column("owner_name", String(255), nullable=False, default=""),
    Column("posted_at", UTCDateTime, nullable=False, default=utcnow),
    Column("kept_until", UTCDateTime, nullable=False),  # purged after it (expiry + a grace)
    CheckConstraint("kind IN ('confirm', 'approve', 'choose')", name="kind"),
    Index("idx_platform_cards_kept_until", "kept_until"),
)
