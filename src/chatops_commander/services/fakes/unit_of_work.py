"""An in-memory unit of work for the pipeline and the chat: the repositories the action pipeline, the chat
engine, authorization and the audit trail use, over one `InMemoryStore`.

Transactions are real: a unit of work works on a copy of the store and `commit()` publishes it; leaving
without a commit (or `rollback()`) drops the changes. Audit events are sealed into the same hash chain
as in the database (`domain.security.audit_chain`).
"""

from __future__ import annotations

import builtins
import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from chatops_commander.domain.chat.approvals import Approval, ApprovalState
from chatops_commander.domain.chat.confirmations import Confirmation, ConfirmationState
from chatops_commander.domain.chat.deployments import Deployment, DeploymentState
from chatops_commander.domain.chat.records import ChatMessage, CommandQuery, CommandRecord, Conversation
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.samples import Sample
from chatops_commander.domain.security.audit_chain import new_event
from chatops_commander.domain.security.audit_events import AuditAction, AuditDraft, AuditEvent, AuditOutcome
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.services.ports_monitoring import AlertQuery


@dataclass
class InMemoryStore:
    servers: dict[UUID, Server] = field(default_factory=dict)
    users: dict[UUID, User] = field(default_factory=dict)
    permissions: dict[tuple[UUID, UUID], ServerPermission] = field(default_factory=dict)
    tag_permissions: dict[tuple[UUID, str], ServerPermission] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    conversations: dict[UUID, Conversation] = field(default_factory=dict)
    messages: list[ChatMessage] = field(default_factory=list)
    commands: dict[UUID, CommandRecord] = field(default_factory=dict)
    confirmations: dict[str, Confirmation] = field(default_factory=dict)
    approvals: dict[str, Approval] = field(default_factory=dict)
    deployments: dict[str, Deployment] = field(default_factory=dict)
    alerts: dict[UUID, Alert] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)  # the collector's samples (oldest first)
    version: int = 0  # bumped by every commit

    def copy(self) -> InMemoryStore:
        return InMemoryStore(**{f.name: type(getattr(self, f.name))(getattr(self, f.name))  # type: ignore[call-arg]
                                for f in dataclasses.fields(self)})

    def publish(self, other: InMemoryStore, *, based_on: int) -> None:
        """Make `other` (a copy taken at version `based_on`) the store's state; a write transaction that
        overlapped another commit fails, as a database would rather than lose an update."""
        if based_on != self.version:
            raise RuntimeError("another transaction committed meanwhile: overlapping write transactions")
        for f in dataclasses.fields(self):
            if f.name != "version":
                setattr(self, f.name, getattr(other, f.name))
        self.version += 1

    def __call__(self) -> InMemoryUnitOfWork:
        """The store is its own unit-of-work factory: `ActionPipeline(store, …)`."""
        return InMemoryUnitOfWork(self)

    # -- seeding helpers for tests ------------------------------------------------------------------
    def add_server(self, server: Server) -> Server:
        placed = dataclasses.replace(server, id=server.id or uuid.uuid4())
        self.servers[placed.id] = placed  # type: ignore[index]
        return placed

    def add_user(self, user: User) -> User:
        placed = dataclasses.replace(user, id=user.id or uuid.uuid4())
        self.users[placed.id] = placed  # type: ignore[index]
        return placed


def _now() -> datetime:
    return datetime.now(UTC)


class _Servers:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, server: Server) -> Server:
        return self.s.add_server(server)

    async def update(self, server: Server) -> Server:
        assert server.id is not None
        self.s.servers[server.id] = server
        return server

    async def get(self, server_id: UUID) -> Server | None:
        return self.s.servers.get(server_id)

    async def get_by_name(self, name: str) -> Server | None:
        return next((v for v in self.s.servers.values() if v.name == name), None)

    async def list(self, *, tag: str | None = None, offset: int = 0, limit: int = 1000) -> builtins.list[Server]:
        found = sorted((v for v in self.s.servers.values() if tag is None or tag in v.tags), key=lambda v: v.name)
        return found[offset: offset + limit]

    async def count(self) -> int:
        return len(self.s.servers)

    async def remove(self, server_id: UUID) -> bool:
        return self.s.servers.pop(server_id, None) is not None


class _Users:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, user: User) -> User:
        return self.s.add_user(user)

    async def update(self, user: User) -> User:
        assert user.id is not None
        self.s.users[user.id] = user
        return user

    async def get(self, user_id: UUID) -> User | None:
        return self.s.users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.s.users.values() if u.email == email), None)

    async def list(self) -> builtins.list[User]:
        return list(self.s.users.values())

    async def count(self) -> int:
        return len(self.s.users)


class _Permissions:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def list_for_user(self, user_id: UUID) -> list[tuple[UUID, ServerPermission]]:
        return [(sid, p) for (uid, sid), p in self.s.permissions.items() if uid == user_id]

    async def for_servers(self, user_id: UUID, server_ids: Sequence[UUID]) -> dict[UUID, ServerPermission]:
        return {sid: self.s.permissions[(user_id, sid)] for sid in server_ids if (user_id, sid) in self.s.permissions}

    async def put(self, user_id: UUID, server_id: UUID, permission: ServerPermission) -> None:
        self.s.permissions[(user_id, server_id)] = permission

    async def remove(self, user_id: UUID, server_id: UUID) -> bool:
        return self.s.permissions.pop((user_id, server_id), None) is not None

    async def tag_grants(self, user_id: UUID) -> dict[str, ServerPermission]:
        return {tag: p for (uid, tag), p in self.s.tag_permissions.items() if uid == user_id}

    async def put_tag(self, user_id: UUID, tag: str, permission: ServerPermission) -> None:
        self.s.tag_permissions[(user_id, tag)] = permission

    async def remove_tag(self, user_id: UUID, tag: str) -> bool:
        return self.s.tag_permissions.pop((user_id, tag), None) is not None


class _Audit:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def append(self, *, actor: str, action: AuditAction, outcome: AuditOutcome, occurred_at: datetime,
                     target: str | None = None, source_ip: str | None = None, request_id: str | None = None,
                     details: Mapping[str, Any] | None = None) -> AuditEvent:
        event = new_event(self.s.audit[-1] if self.s.audit else None, id=str(uuid.uuid4()), occurred_at=occurred_at,
                          actor=actor, action=action, outcome=outcome, target=target, source_ip=source_ip,
                          request_id=request_id, details=dict(details or {}))
        self.s.audit.append(event)
        return event

    async def append_many(self, drafts: Sequence[AuditDraft]) -> list[AuditEvent]:
        return [await self.append(actor=d.actor, action=d.action, outcome=d.outcome, occurred_at=d.occurred_at,
                                  target=d.target, source_ip=d.source_ip, request_id=d.request_id, details=d.details)
                for d in drafts]

    async def list(self, *, after_seq: int = 0, since: datetime | None = None,
                   limit: int | None = None) -> list[AuditEvent]:
        found = [e for e in self.s.audit if e.seq > after_seq and (since is None or e.occurred_at >= since)]
        return found[:limit] if limit is not None else found

    async def last(self) -> AuditEvent | None:
        return self.s.audit[-1] if self.s.audit else None


class _Conversations:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, conversation: Conversation) -> Conversation:
        now = _now()
        placed = dataclasses.replace(conversation, id=conversation.id or uuid.uuid4(), created_at=now, updated_at=now)
        self.s.conversations[placed.id] = placed  # type: ignore[index]
        return placed

    async def get(self, conversation_id: UUID, *, for_update: bool = False) -> Conversation | None:
        return self.s.conversations.get(conversation_id)

    async def list_for_user(self, user_id: UUID, *, offset: int = 0, limit: int = 100) -> list[Conversation]:
        return [c for c in self.s.conversations.values() if c.user_id == user_id][offset: offset + limit]

    async def save(self, conversation: Conversation) -> None:
        assert conversation.id is not None
        self.s.conversations[conversation.id] = dataclasses.replace(conversation, updated_at=_now())

    async def remove(self, conversation_id: UUID) -> bool:
        return self.s.conversations.pop(conversation_id, None) is not None


class _Messages:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, message: ChatMessage) -> ChatMessage:
        placed = dataclasses.replace(message, id=message.id or uuid.uuid4(), created_at=_now())
        self.s.messages.append(placed)
        return placed

    async def list(self, conversation_id: UUID, *, limit: int = 500) -> builtins.list[ChatMessage]:
        return [m for m in self.s.messages if m.conversation_id == conversation_id][:limit]


class _Commands:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, record: CommandRecord) -> CommandRecord:
        placed = dataclasses.replace(record, id=record.id or uuid.uuid4(), executed_at=record.executed_at or _now())
        self.s.commands[placed.id] = placed  # type: ignore[index]
        return placed

    async def finish(self, record: CommandRecord) -> None:
        assert record.id is not None
        self.s.commands[record.id] = dataclasses.replace(record, finished_at=record.finished_at or _now())

    async def add_many(self, records: Sequence[CommandRecord]) -> builtins.list[CommandRecord]:
        return [await self.add(r) for r in records]

    async def finish_many(self, records: Sequence[CommandRecord]) -> None:
        for r in records:
            await self.finish(r)

    def _newest_first(self) -> builtins.list[CommandRecord]:
        return sorted(self.s.commands.values(), key=lambda r: r.executed_at or _now(), reverse=True)

    async def query(self, q: CommandQuery) -> tuple[builtins.list[CommandRecord], int]:
        rows = [r for r in self._newest_first()
                if (q.user_id is None or r.user_id == q.user_id) and (q.server is None or r.server_name == q.server)
                and (q.action is None or (r.action or "").startswith(q.action))
                and (q.outcome is None or (r.outcome or "") == q.outcome
                     or (q.outcome == "refused" and (r.outcome or "").startswith("refused")))
                and (q.since is None or (r.executed_at is not None and r.executed_at >= q.since))
                and (q.until is None or (r.executed_at is not None and r.executed_at < q.until))]
        return rows[q.offset: q.offset + q.limit], len(rows)

    async def list(self, *, conversation_id: UUID | None = None, user_id: UUID | None = None,
                   limit: int = 100) -> builtins.list[CommandRecord]:
        return [r for r in self._newest_first() if (conversation_id is None or r.conversation_id == conversation_id)
                and (user_id is None or r.user_id == user_id)][:limit]

    async def left_open(self) -> builtins.list[CommandRecord]:
        return [r for r in self.s.commands.values() if r.state in ("pending", "running")]

    async def runs_since(self, actor: str, door: str, since: datetime) -> int:
        return len({r.executed_at for r in self.s.commands.values() if r.actor == actor and r.door == door
                    and r.executed_at is not None and r.executed_at >= since and r.state != "refused"})


class _Confirmations:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, c: Confirmation) -> None:
        self.s.confirmations[c.id] = c

    async def get(self, confirmation_id: str, *, for_update: bool = False) -> Confirmation | None:
        return self.s.confirmations.get(confirmation_id)

    async def latest_pending(self, conversation_id: UUID) -> Confirmation | None:
        pending = [c for c in self.s.confirmations.values()
                   if c.conversation_id == str(conversation_id) and c.state is ConfirmationState.PENDING]
        return max(pending, key=lambda c: c.created_at, default=None)

    async def transition(self, c: Confirmation, *, expected: ConfirmationState) -> bool:
        current = self.s.confirmations.get(c.id)
        if current is None or current.state is not expected:
            return False
        self.s.confirmations[c.id] = c
        return True

    async def expire_stale(self, now: datetime) -> int:
        stale = [c for c in self.s.confirmations.values()
                 if c.state is ConfirmationState.PENDING and c.expires_at < now]
        for c in stale:
            self.s.confirmations[c.id] = c.expired(now)
        return len(stale)


class _Approvals:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, a: Approval) -> None:
        self.s.approvals[a.id] = a

    async def get(self, approval_id: str, *, for_update: bool = False) -> Approval | None:
        return self.s.approvals.get(approval_id)

    async def list(self, *, state: ApprovalState | None = None, requester_id: str | None = None,
                   limit: int = 100, pending_at: datetime | None = None) -> builtins.list[Approval]:
        found = [a for a in self.s.approvals.values()
                 if (state is None or a.state is state) and (requester_id is None or a.requester_id == requester_id)
                 and (pending_at is None or (a.state is ApprovalState.REQUESTED and not a.expired(pending_at)))]
        return sorted(found, key=lambda a: a.created_at, reverse=True)[:limit]

    async def decide(self, a: Approval) -> bool:
        current = self.s.approvals.get(a.id)
        if current is None or current.state is not ApprovalState.REQUESTED:
            return False
        self.s.approvals[a.id] = a
        return True


class _Deployments:
    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, d: Deployment) -> None:
        self.s.deployments[d.id] = d

    async def finish(self, d: Deployment) -> None:
        self.s.deployments[d.id] = d

    async def history(self, application: str, *, environment: str | None = None,
                      limit: int = 50) -> list[Deployment]:
        found = [d for d in self.s.deployments.values()
                 if d.application == application and (environment is None or d.environment == environment)]
        return sorted(found, key=lambda d: d.started_at, reverse=True)[:limit]

    async def left_running(self) -> list[Deployment]:
        return [d for d in self.s.deployments.values() if d.state is DeploymentState.RUNNING]


class _Alerts:
    """What the chat reads of alerts (open ones, visible to a user); the collector's writes are not faked."""

    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, alert: Alert) -> Alert:
        placed = dataclasses.replace(alert, id=alert.id or uuid.uuid4(), created_at=alert.created_at or _now())
        self.s.alerts[placed.id] = placed  # type: ignore[index]
        return placed

    async def query(self, q: AlertQuery) -> tuple[list[Alert], int]:
        found = [a for a in self.s.alerts.values()
                 if (q.resolved is None or a.resolved == q.resolved)
                 and (q.severity is None or a.severity == q.severity)
                 and (q.server_id is None or a.server_id == q.server_id)
                 and (q.visible_to is None or a.server_id is None or a.server_id in q.visible_to)]
        return found[q.offset: q.offset + q.limit], len(found)


class _Samples:
    """What the chat reads of the collector's samples: the latest per server and a server's series."""

    def __init__(self, s: InMemoryStore) -> None:
        self.s = s

    async def add(self, sample: Sample) -> None:
        self.s.samples.append(sample)

    async def latest(self, server_id: UUID) -> Sample | None:
        return (await self.latest_all()).get(server_id)

    async def latest_all(self) -> dict[UUID, Sample]:
        out: dict[UUID, Sample] = {}
        for sample in sorted(self.s.samples, key=lambda x: x.collected_at):
            out[sample.server_id] = sample  # type: ignore[index]
        return out

    async def series(self, server_id: UUID, start: datetime, end: datetime, *, limit: int = 5000) -> list[Sample]:
        found = sorted((x for x in self.s.samples if x.server_id == server_id and start <= x.collected_at <= end),
                       key=lambda x: x.collected_at)
        return found[:limit]


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.work = store.copy()
        self.servers = _Servers(self.work)
        self.users = _Users(self.work)
        self.permissions = _Permissions(self.work)
        self.audit = _Audit(self.work)
        self.conversations = _Conversations(self.work)
        self.messages = _Messages(self.work)
        self.commands = _Commands(self.work)
        self.confirmations = _Confirmations(self.work)
        self.approvals = _Approvals(self.work)
        self.deployments = _Deployments(self.work)
        self.alerts = _Alerts(self.work)
        self.samples = _Samples(self.work)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self.store.publish(self.work, based_on=self.work.version)
        self.work = self.store.copy()
        self._rebind()

    async def rollback(self) -> None:
        self.work = self.store.copy()
        self._rebind()

    def _rebind(self) -> None:
        for repo in (self.servers, self.users, self.permissions, self.audit, self.conversations, self.messages,
                     self.commands, self.confirmations, self.approvals, self.deployments, self.alerts,
                     self.samples):
            repo.s = self.work
