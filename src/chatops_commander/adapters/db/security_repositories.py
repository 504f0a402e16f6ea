"""Security repositories: users, per-server permissions, refresh sessions, API tokens, audit
events and runtime settings. Rows ↔ domain dataclasses; no commits (the unit of work owns them).

The audit repository is the audit *writer*: `append` serializes writers before it reads the
last row, so two transactions can never seal a row on the same predecessor (no fork):
PostgreSQL takes `pg_advisory_xact_lock(AUDIT_LOCK_KEY)` (released at commit/rollback); SQLite
takes the database write lock first (a write statement), which other writers wait for
(`busy_timeout`). `seq` is also the primary key, so a fork could never be stored anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from chatops_commander.adapters.db.tables import api_tokens as t_tokens
from chatops_commander.adapters.db.tables import app_settings as t_settings
from chatops_commander.adapters.db.tables import audit_events as t_audit
from chatops_commander.adapters.db.tables import permissions as t_permissions
from chatops_commander.adapters.db.tables import refresh_sessions as t_refresh
from chatops_commander.adapters.db.tables import tag_permissions as t_tag_permissions
from chatops_commander.adapters.db.tables import users as t_users
from chatops_commander.adapters.db.types import utcnow
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.api_tokens import ApiToken, TokenScope
from chatops_commander.domain.security.audit_chain import ChainKey, new_event
from chatops_commander.domain.security.audit_events import AuditAction, AuditDraft, AuditEvent, AuditOutcome
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.security.refresh_sessions import RefreshSession
from chatops_commander.domain.users import User, normalize_email

AUDIT_LOCK_KEY = 0x43484F5053  # "CHOPS": the advisory lock serializing audit appends on PostgreSQL


# --- users -------------------------------------------------------------------------------------

def _user_from_row(row: RowMapping) -> User:
    return User(
        id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]),
        password_hash=row["password_hash"], is_active=bool(row["is_active"]), language=row["language"],
        language_chosen=bool(row["language_chosen"]),
        totp_secret=row["totp_secret"], totp_enabled=bool(row["totp_enabled"]),
        totp_last_step=row["totp_last_step"], recovery_codes=tuple(row["recovery_codes"] or ()),
        password_changed_at=row["password_changed_at"], sessions_valid_after=row["sessions_valid_after"],
        created_at=row["created_at"], last_login=row["last_login"],
    )


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": normalize_email(user.email), "name": user.name, "role": user.role.value,
        "password_hash": user.password_hash, "is_active": user.is_active, "language": user.language,
        "language_chosen": user.language_chosen,
        "totp_secret": user.totp_secret, "totp_enabled": user.totp_enabled,
        "totp_last_step": user.totp_last_step, "recovery_codes": list(user.recovery_codes),
        "password_changed_at": user.password_changed_at, "sessions_valid_after": user.sessions_valid_after,
        "last_login": user.last_login,
    }


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> User:
        user_id = user.id or uuid.uuid4()
        values = _user_values(user) | {"id": user_id, "created_at": user.created_at or utcnow()}
        await self._session.execute(t_users.insert().values(**values))
        found = await self.get(user_id)
        assert found is not None
        return found

    async def update(self, user: User) -> User:
        assert user.id is not None
        values = _user_values(user) | {"updated_at": utcnow()}
        await self._session.execute(update(t_users).where(t_users.c.id == user.id).values(**values))
        found = await self.get(user.id)
        assert found is not None
        return found

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._session.execute(select(t_users).where(t_users.c.id == user_id))).mappings().first()
        return _user_from_row(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        if "\x00" in email:  # no stored address holds U+0000 (PostgreSQL refuses it in a query): no such user
            return None
        stmt = select(t_users).where(t_users.c.email == normalize_email(email))
        row = (await self._session.execute(stmt)).mappings().first()
        return _user_from_row(row) if row else None

    async def list(self) -> list[User]:
        rows = (await self._session.execute(select(t_users).order_by(t_users.c.email))).mappings().all()
        return [_user_from_row(r) for r in rows]

    async def count(self) -> int:
        return int((await self._session.execute(select(func.count()).select_from(t_users))).scalar_one())


# --- per-server permissions --------------------------------------------------------------------

def _permission(row: RowMapping) -> ServerPermission:
    return ServerPermission(can_read=bool(row["can_read"]), can_execute=bool(row["can_execute"]),
                            can_admin=bool(row["can_admin"]))


class SqlPermissionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_user(self, user_id: UUID) -> list[tuple[UUID, ServerPermission]]:
        stmt = select(t_permissions).where(t_permissions.c.user_id == user_id)
        return [(r["server_id"], _permission(r)) for r in (await self._session.execute(stmt)).mappings().all()]

    async def for_servers(self, user_id: UUID, server_ids: Sequence[UUID]) -> dict[UUID, ServerPermission]:
        if not server_ids:
            return {}
        stmt = select(t_permissions).where(t_permissions.c.user_id == user_id,
                                           t_permissions.c.server_id.in_(list(server_ids)))
        return {r["server_id"]: _permission(r) for r in (await self._session.execute(stmt)).mappings().all()}

    async def put(self, user_id: UUID, server_id: UUID, permission: ServerPermission) -> None:
        values = {"can_read": permission.can_read, "can_execute": permission.can_execute,
                  "can_admin": permission.can_admin}
        result = await self._session.execute(
            update(t_permissions).where(t_permissions.c.user_id == user_id, t_permissions.c.server_id == server_id)
            .values(**values))
        if not getattr(result, "rowcount", 0):
            await self._session.execute(t_permissions.insert().values(
                id=uuid.uuid4(), user_id=user_id, server_id=server_id, created_at=utcnow(), **values))

    async def remove(self, user_id: UUID, server_id: UUID) -> bool:
        result = await self._session.execute(delete(t_permissions).where(
            t_permissions.c.user_id == user_id, t_permissions.c.server_id == server_id))
        return bool(getattr(result, "rowcount", 0))

    async def tag_grants(self, user_id: UUID) -> dict[str, ServerPermission]:
        stmt = select(t_tag_permissions).where(t_tag_permissions.c.user_id == user_id)
        return {r["tag"]: _permission(r) for r in (await self._session.execute(stmt)).mappings().all()}

    async def put_tag(self, user_id: UUID, tag: str, permission: ServerPermission) -> None:
        values = {"can_read": permission.can_read, "can_execute": permission.can_execute,
                  "can_admin": permission.can_admin}
        result = await self._session.execute(
            update(t_tag_permissions).where(t_tag_permissions.c.user_id == user_id, t_tag_permissions.c.tag == tag)
            .values(**values))
        if not getattr(result, "rowcount", 0):
            await self._session.execute(t_tag_permissions.insert().values(
                id=uuid.uuid4(), user_id=user_id, tag=tag, created_at=utcnow(), **values))

    async def remove_tag(self, user_id: UUID, tag: str) -> bool:
        result = await self._session.execute(delete(t_tag_permissions).where(
            t_tag_permissions.c.user_id == user_id, t_tag_permissions.c.tag == tag))
        return bool(getattr(result, "rowcount", 0))


# --- refresh sessions --------------------------------------------------------------------------

def _session_from_row(row: RowMapping) -> RefreshSession:
    return RefreshSession(
        id=str(row["id"]), family_id=str(row["family_id"]), user_id=str(row["user_id"]),
        token_hash=row["token_hash"], issued_at=row["created_at"], expires_at=row["expires_at"],
        parent_id=None if row["parent_id"] is None else str(row["parent_id"]), rotated_at=row["rotated_at"],
        revoked_at=row["revoked_at"], revoked_reason=row["revoked_reason"],
    )


class SqlRefreshSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: RefreshSession, *, user_agent: str | None = None,
                  source_ip: str | None = None) -> None:
        await self._session.execute(t_refresh.insert().values(
            id=UUID(session.id), family_id=UUID(session.family_id), user_id=UUID(session.user_id),
            token_hash=session.token_hash, parent_id=None if session.parent_id is None else UUID(session.parent_id),
            rotated_at=session.rotated_at, revoked_at=session.revoked_at, revoked_reason=session.revoked_reason,
            expires_at=session.expires_at, created_at=session.issued_at,
            user_agent=(user_agent or "")[:255] or None, source_ip=source_ip))

    async def get_by_hash(self, token_hash: str) -> RefreshSession | None:
        stmt = select(t_refresh).where(t_refresh.c.token_hash == token_hash)
        row = (await self._session.execute(stmt)).mappings().first()
        return _session_from_row(row) if row else None

    async def family(self, family_id: str) -> list[RefreshSession]:
        stmt = select(t_refresh).where(t_refresh.c.family_id == UUID(family_id)).order_by(t_refresh.c.created_at)
        return [_session_from_row(r) for r in (await self._session.execute(stmt)).mappings().all()]

    async def for_user(self, user_id: UUID) -> list[RefreshSession]:
        stmt = select(t_refresh).where(t_refresh.c.user_id == user_id)
        return [_session_from_row(r) for r in (await self._session.execute(stmt)).mappings().all()]

    async def save(self, sessions: Sequence[RefreshSession]) -> None:
        for s in sessions:
            await self._session.execute(update(t_refresh).where(t_refresh.c.id == UUID(s.id)).values(
                rotated_at=s.rotated_at, revoked_at=s.revoked_at, revoked_reason=s.revoked_reason))

    async def is_family_active(self, family_id: str) -> bool:
        """True while the family has a session that is neither revoked nor expired."""
        stmt = select(func.count()).select_from(t_refresh).where(
            t_refresh.c.family_id == UUID(family_id), t_refresh.c.revoked_at.is_(None),
            t_refresh.c.expires_at > utcnow())
        return int((await self._session.execute(stmt)).scalar_one()) > 0


# --- API tokens --------------------------------------------------------------------------------

def _token_from_row(row: RowMapping) -> ApiToken:
    return ApiToken(
        id=str(row["id"]), user_id=str(row["user_id"]), name=row["name"], token_hash=row["token_hash"],
        scopes=frozenset(TokenScope(s) for s in row["scopes"] or ()), created_at=row["created_at"],
        expires_at=row["expires_at"], display_prefix=row["prefix"], revoked_at=row["revoked_at"],
        grace_until=row["grace_until"], replaced_by=None if row["rotated_to"] is None else str(row["rotated_to"]),
        last_used_at=row["last_used_at"],
    )


class SqlApiTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: ApiToken) -> None:
        await self._session.execute(t_tokens.insert().values(
            id=UUID(token.id), user_id=UUID(token.user_id), name=token.name, token_hash=token.token_hash,
            prefix=token.display_prefix, scopes=sorted(s.value for s in token.scopes), expires_at=token.expires_at,
            revoked_at=token.revoked_at, grace_until=token.grace_until,
            rotated_to=None if token.replaced_by is None else UUID(token.replaced_by),
            last_used_at=token.last_used_at, created_at=token.created_at))

    async def get(self, token_id: UUID) -> ApiToken | None:
        row = (await self._session.execute(select(t_tokens).where(t_tokens.c.id == token_id))).mappings().first()
        return _token_from_row(row) if row else None

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        stmt = select(t_tokens).where(t_tokens.c.token_hash == token_hash)
        row = (await self._session.execute(stmt)).mappings().first()
        return _token_from_row(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[ApiToken]:
        stmt = select(t_tokens).where(t_tokens.c.user_id == user_id).order_by(t_tokens.c.created_at)
        return [_token_from_row(r) for r in (await self._session.execute(stmt)).mappings().all()]

    async def save(self, token: ApiToken) -> None:
        await self._session.execute(update(t_tokens).where(t_tokens.c.id == UUID(token.id)).values(
            revoked_at=token.revoked_at, grace_until=token.grace_until, last_used_at=token.last_used_at,
            rotated_to=None if token.replaced_by is None else UUID(token.replaced_by)))


# --- audit events ------------------------------------------------------------------------------

def _event_from_row(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        seq=int(row["seq"]), id=str(row["id"]), occurred_at=row["occurred_at"], actor=row["actor"],
        action=AuditAction(row["action"]), outcome=AuditOutcome(row["outcome"]), target=row["target"],
        source_ip=row["source_ip"], request_id=row["request_id"], details=row["details"] or {},
        prev_hash=row["prev_hash"], hash=row["hash"], hash_kid=row["hash_kid"],
    )


class SqlAuditRepository:
    """Append-only: there is no update or delete here."""

    def __init__(self, session: AsyncSession, chain_key: Callable[[], ChainKey] | None = None) -> None:
        self._session = session
        self._chain_key = chain_key  # seals new rows with the audit key (HMAC); None: unkeyed (legacy)
        self.pending: list[AuditEvent] = []  # appended in this transaction; mirrored after commit

    async def _serialize_writers(self) -> None:
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        else:  # SQLite: a write statement takes the database write lock until commit/rollback
            await self._session.execute(text("UPDATE audit_events SET seq = seq WHERE seq < 0"))

    async def append(
        self, *, actor: str, action: AuditAction, outcome: AuditOutcome, occurred_at: datetime,
        target: str | None = None, source_ip: str | None = None, request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        if self.pending:  # this transaction already holds the writers' lock and knows the chain's head
            previous: AuditEvent | None = self.pending[-1]
        else:
            await self._serialize_writers()
            previous = await self.last()
        event = new_event(previous, id=str(uuid.uuid4()), occurred_at=occurred_at, actor=_storable(actor)[:255],
                          action=action, outcome=outcome, target=None if target is None else _storable(target)[:255],
                          source_ip=source_ip, request_id=request_id, details=_storable(dict(details or {})),
                          key=None if self._chain_key is None else self._chain_key())
        await self._session.execute(t_audit.insert().values(
            seq=event.seq, id=UUID(event.id), occurred_at=event.occurred_at, actor=event.actor,
            action=event.action.value, target=event.target, outcome=event.outcome.value,
            source_ip=event.source_ip, request_id=event.request_id, details=dict(event.details),
            prev_hash=event.prev_hash, hash=event.hash, hash_kid=event.hash_kid))
        self.pending.append(event)
        return event

    async def append_many(self, drafts: Sequence[AuditDraft]) -> list[AuditEvent]:
        if not drafts:
            return []
        previous: AuditEvent | None
        if self.pending:  # this transaction already holds the writers' lock and knows the chain's head
            previous = self.pending[-1]
        else:
            await self._serialize_writers()
            previous = await self.last()
        key = None if self._chain_key is None else self._chain_key()
        events: list[AuditEvent] = []
        for d in drafts:
            target = None if d.target is None else _storable(d.target)[:255]
            previous = new_event(previous, id=str(uuid.uuid4()), occurred_at=d.occurred_at,
                                 actor=_storable(d.actor)[:255], action=d.action, outcome=d.outcome, target=target,
                                 source_ip=d.source_ip, request_id=d.request_id, details=_storable(dict(d.details)),
                                 key=key)
            events.append(previous)
        await self._session.execute(t_audit.insert(), [dict(
            seq=e.seq, id=UUID(e.id), occurred_at=e.occurred_at, actor=e.actor, action=e.action.value,
            target=e.target, outcome=e.outcome.value, source_ip=e.source_ip, request_id=e.request_id,
            details=dict(e.details), prev_hash=e.prev_hash, hash=e.hash, hash_kid=e.hash_kid) for e in events])
        self.pending.extend(events)
        return events

    async def last(self) -> AuditEvent | None:
        stmt = select(t_audit).order_by(t_audit.c.seq.desc()).limit(1)
        row = (await self._session.execute(stmt)).mappings().first()
        return _event_from_row(row) if row else None

    async def list(self, *, after_seq: int = 0, since: datetime | None = None,
                   limit: int | None = None) -> list[AuditEvent]:
        stmt = select(t_audit).where(t_audit.c.seq > after_seq).order_by(t_audit.c.seq)
        if since is not None:
            stmt = stmt.where(t_audit.c.occurred_at >= since)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_event_from_row(r) for r in (await self._session.execute(stmt)).mappings().all()]


# --- runtime settings --------------------------------------------------------------------------

class SqlSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> Any:
        stmt = select(t_settings.c.value).where(t_settings.c.key == key)
        row = (await self._session.execute(stmt)).first()
        return None if row is None else row[0]

    async def put(self, key: str, value: Any, *, updated_by: str) -> None:
        result = await self._session.execute(update(t_settings).where(t_settings.c.key == key).values(
            value=value, updated_at=utcnow(), updated_by=updated_by))
        if not getattr(result, "rowcount", 0):
            await self._session.execute(t_settings.insert().values(
                key=key, value=value, updated_at=utcnow(), updated_by=updated_by))


def _storable(value: Any) -> Any:
    """What an attempt carried, as text every database stores: U+0000 (refused by PostgreSQL in text and JSON)
    becomes U+FFFD, in strings and inside details; sealed as stored, so the chain verifies the same everywhere."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value
