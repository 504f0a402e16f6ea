"""Repositories of the conversation engine: conversations, messages, commands, confirmations, approvals,
deployments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from chatops_commander.adapters.db.tables import approvals as t_approvals
from chatops_commander.adapters.db.tables import commands as t_commands
from chatops_commander.adapters.db.tables import confirmations as t_confirmations
from chatops_commander.adapters.db.tables import conversations as t_conversations
from chatops_commander.adapters.db.tables import deployments as t_deployments
from chatops_commander.adapters.db.tables import messages as t_messages
from chatops_commander.adapters.db.types import utcnow
from chatops_commander.domain.chat.approvals import Approval, ApprovalState
from chatops_commander.domain.chat.confirmations import Confirmation, ConfirmationState
from chatops_commander.domain.chat.deployments import Deployment, DeploymentKind, DeploymentState
from chatops_commander.domain.chat.records import ChatMessage, CommandQuery, CommandRecord, Conversation
from chatops_commander.domain.risk import Risk


def _uuid(value: str | UUID | None) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        return None


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _row(row: RowMapping) -> Conversation:
        return Conversation(user_id=row["user_id"], title=row["title"], context=row["context"] or {}, id=row["id"],
                            created_at=row["created_at"], updated_at=row["updated_at"])

    async def add(self, conversation: Conversation) -> Conversation:
        now = utcnow()
        new_id = conversation.id or uuid.uuid4()
        await self.session.execute(t_conversations.insert().values(
            id=new_id, user_id=conversation.user_id, title=conversation.title, context=dict(conversation.context),
            created_at=now, updated_at=now))
        return Conversation(conversation.user_id, conversation.title, conversation.context, new_id, now, now)

    async def get(self, conversation_id: UUID, *, for_update: bool = False) -> Conversation | None:
        q = select(t_conversations).where(t_conversations.c.id == conversation_id)
        if for_update:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        return self._row(row) if row else None

    async def list_for_user(self, user_id: UUID, *, offset: int = 0, limit: int = 100) -> list[Conversation]:
        q = (select(t_conversations).where(t_conversations.c.user_id == user_id)
             .order_by(t_conversations.c.updated_at.desc(), t_conversations.c.id).offset(offset).limit(limit))
        return [self._row(r) for r in (await self.session.execute(q)).mappings()]

    async def save(self, conversation: Conversation) -> None:
        assert conversation.id is not None
        await self.session.execute(update(t_conversations).where(t_conversations.c.id == conversation.id).values(
            title=conversation.title, context=dict(conversation.context), updated_at=utcnow()))

    async def remove(self, conversation_id: UUID) -> bool:
        # Children first: SQLite enforces no ON DELETE CASCADE without the foreign_keys pragma.
        for table in (t_confirmations, t_approvals, t_messages):
            await self.session.execute(delete(table).where(table.c.conversation_id == conversation_id))
        for linked in (t_commands, t_deployments):
            await self.session.execute(update(linked).where(linked.c.conversation_id == conversation_id)
                                       .values(conversation_id=None))
        res = await self.session.execute(delete(t_conversations).where(t_conversations.c.id == conversation_id))
        return bool(getattr(res, "rowcount", 0))


class SqlMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: ChatMessage) -> ChatMessage:
        new_id, now = message.id or uuid.uuid4(), utcnow()
        await self.session.execute(t_messages.insert().values(
            id=new_id, conversation_id=message.conversation_id, role=message.role, content=message.content,
            metadata=dict(message.metadata), created_at=now))
        return ChatMessage(message.conversation_id, message.role, message.content, message.metadata, new_id, now)

    async def list(self, conversation_id: UUID, *, limit: int = 500) -> list[ChatMessage]:
        q = (select(t_messages).where(t_messages.c.conversation_id == conversation_id)
             .order_by(t_messages.c.created_at, t_messages.c.id).limit(limit))
        return [ChatMessage(r["conversation_id"], r["role"], r["content"], r["metadata"] or {}, r["id"],
                            r["created_at"]) for r in (await self.session.execute(q)).mappings()]

    async def count(self, conversation_id: UUID) -> int:
        q = select(func.count()).select_from(t_messages).where(t_messages.c.conversation_id == conversation_id)
        return int((await self.session.execute(q)).scalar_one())


_COMMAND_FIELDS = ("command", "action", "actor", "user_id", "server_id", "server_name", "conversation_id",
                   "parsed_intent", "output", "exit_code", "outcome", "risk_level", "confirmed", "duration_ms",
                   "state", "door", "finished_at")
_OPEN_STATES = ("pending", "running")


class SqlCommandRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: CommandRecord) -> CommandRecord:
        new_id = record.id or uuid.uuid4()
        values: dict[str, Any] = {f: getattr(record, f) for f in _COMMAND_FIELDS}
        values["parsed_intent"] = dict(record.parsed_intent) if record.parsed_intent is not None else None
        values["executed_at"] = record.executed_at or utcnow()
        await self.session.execute(t_commands.insert().values(id=new_id, **values))
        return CommandRecord(**{**{f: getattr(record, f) for f in _COMMAND_FIELDS},
                                "executed_at": values["executed_at"], "id": new_id})

    async def finish(self, record: CommandRecord) -> None:
        """Close a row written ahead: its final state, output, exit code, duration (and the line really sent)."""
        assert record.id is not None
        await self.session.execute(update(t_commands).where(t_commands.c.id == record.id).values(
            command=record.command, output=record.output, exit_code=record.exit_code, outcome=record.outcome,
            state=record.state, duration_ms=record.duration_ms, finished_at=record.finished_at or utcnow()))

    async def add_many(self, records: Sequence[CommandRecord]) -> list[CommandRecord]:
        """Several rows in one round trip (one per host of a run)."""
        placed: list[CommandRecord] = []
        for record in records:
            values: dict[str, Any] = {f: getattr(record, f) for f in _COMMAND_FIELDS}
            values["parsed_intent"] = dict(record.parsed_intent) if record.parsed_intent is not None else None
            values["executed_at"] = record.executed_at or utcnow()
            values["id"] = record.id or uuid.uuid4()
            placed.append(CommandRecord(**{**values, "parsed_intent": record.parsed_intent}))
        if placed:
            await self.session.execute(t_commands.insert(), [
                {**{f: getattr(r, f) for f in _COMMAND_FIELDS}, "parsed_intent": dict(r.parsed_intent or {})
                 if r.parsed_intent is not None else None, "executed_at": r.executed_at, "id": r.id} for r in placed])
        return placed

    async def finish_many(self, records: Sequence[CommandRecord]) -> None:
        """Close several rows written ahead, in one round trip."""
        if not records:
            return
        now = utcnow()
        await self.session.execute(
            update(t_commands).where(t_commands.c.id == bindparam("_id")).values(
                command=bindparam("_command"), output=bindparam("_output"), exit_code=bindparam("_exit_code"),
                outcome=bindparam("_outcome"), state=bindparam("_state"), duration_ms=bindparam("_duration_ms"),
                finished_at=bindparam("_finished_at")),
            [{"_id": r.id, "_command": r.command, "_output": r.output, "_exit_code": r.exit_code,
              "_outcome": r.outcome, "_state": r.state, "_duration_ms": r.duration_ms,
              "_finished_at": r.finished_at or now} for r in records])

    async def runs_since(self, actor: str, door: str, since: datetime) -> int:
        """How many runs `actor` started from `door` since then (a run's rows share their start time)."""
        q = (select(func.count(func.distinct(t_commands.c.executed_at)))
             .where(t_commands.c.actor == actor, t_commands.c.door == door, t_commands.c.executed_at >= since,
                    t_commands.c.state != "refused"))
        return int((await self.session.execute(q)).scalar_one() or 0)

    async def left_open(self) -> list[CommandRecord]:
        """Rows still `pending` or `running` (at start-up: the server stopped while they ran)."""
        q = select(t_commands).where(t_commands.c.state.in_(_OPEN_STATES)).order_by(t_commands.c.executed_at)
        return [CommandRecord(**{f: r[f] for f in _COMMAND_FIELDS}, executed_at=r["executed_at"], id=r["id"])
                for r in (await self.session.execute(q)).mappings()]

    async def query(self, q: CommandQuery) -> tuple[list[CommandRecord], int]:
        """One page of the history (newest first) and how many rows match in all."""
        conditions = []
        if q.user_id is not None:
            conditions.append(t_commands.c.user_id == q.user_id)
        if q.server:
            conditions.append(t_commands.c.server_name == q.server)
        if q.action:
            conditions.append(t_commands.c.action.startswith(q.action, autoescape=True))
        if q.outcome:
            conditions.append(t_commands.c.outcome == q.outcome if q.outcome != "refused"
                              else t_commands.c.outcome.startswith("refused", autoescape=True))
        if q.since is not None:
            conditions.append(t_commands.c.executed_at >= q.since)
        if q.until is not None:
            conditions.append(t_commands.c.executed_at < q.until)
        total = (await self.session.execute(select(func.count()).select_from(t_commands).where(*conditions))).scalar()
        page = (select(t_commands).where(*conditions).order_by(t_commands.c.executed_at.desc(), t_commands.c.id)
                .offset(q.offset).limit(q.limit))
        rows = [CommandRecord(**{f: r[f] for f in _COMMAND_FIELDS}, executed_at=r["executed_at"], id=r["id"])
                for r in (await self.session.execute(page)).mappings()]
        return rows, int(total or 0)

    async def list(self, *, conversation_id: UUID | None = None, user_id: UUID | None = None,
                   limit: int = 100) -> list[CommandRecord]:
        q = select(t_commands)
        if conversation_id is not None:
            q = q.where(t_commands.c.conversation_id == conversation_id)
        if user_id is not None:
            q = q.where(t_commands.c.user_id == user_id)
        q = q.order_by(t_commands.c.executed_at.desc(), t_commands.c.id).limit(limit)
        return [CommandRecord(**{f: r[f] for f in _COMMAND_FIELDS}, executed_at=r["executed_at"], id=r["id"])
                for r in (await self.session.execute(q)).mappings()]


class SqlConfirmationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _row(r: RowMapping) -> Confirmation:
        return Confirmation(
            id=r["id"], user_id=str(r["user_id"]), conversation_id=str(r["conversation_id"]), action=r["action"],
            targets=tuple(r["targets"] or ()), service=r["service"], parameters=r["parameters"] or {},
            risk=Risk(r["risk_level"]), action_hash=r["action_hash"], created_at=r["created_at"],
            expires_at=r["expires_at"], lang=r["lang"], state=ConfirmationState(r["state"]),
            decided_at=r["decided_at"], text=r["text"], extra=r["extra"] or {})

    async def expire_stale(self, now: datetime) -> int:
        """Pending confirmations past their deadline become `expired` (they were refused on use anyway)."""
        res = await self.session.execute(
            update(t_confirmations).where(t_confirmations.c.state == ConfirmationState.PENDING.value,
                                          t_confirmations.c.expires_at < now)
            .values(state=ConfirmationState.EXPIRED.value, decided_at=now))
        return int(getattr(res, "rowcount", 0) or 0)

    async def add(self, c: Confirmation) -> None:
        await self.session.execute(t_confirmations.insert().values(
            id=c.id, user_id=_uuid(c.user_id), conversation_id=_uuid(c.conversation_id), action=c.action,
            targets=list(c.targets), service=c.service, parameters=dict(c.parameters), risk_level=c.risk.value,
            action_hash=c.action_hash, state=c.state.value, lang=c.lang, text=c.text, extra=dict(c.extra),
            created_at=c.created_at, expires_at=c.expires_at, decided_at=c.decided_at))

    async def get(self, confirmation_id: str, *, for_update: bool = False) -> Confirmation | None:
        q = select(t_confirmations).where(t_confirmations.c.id == confirmation_id)
        if for_update:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        return self._row(row) if row else None

    async def latest_pending(self, conversation_id: UUID) -> Confirmation | None:
        q = (select(t_confirmations).where(t_confirmations.c.conversation_id == conversation_id,
                                           t_confirmations.c.state == ConfirmationState.PENDING.value)
             .order_by(t_confirmations.c.created_at.desc()).limit(1))
        row = (await self.session.execute(q)).mappings().first()
        return self._row(row) if row else None

    async def transition(self, c: Confirmation, *, expected: ConfirmationState) -> bool:
        """Compare-and-set the state: False when another request changed it first (single use)."""
        res = await self.session.execute(
            update(t_confirmations)
            .where(t_confirmations.c.id == c.id, t_confirmations.c.state == expected.value)
            .values(state=c.state.value, decided_at=c.decided_at))
        return bool(getattr(res, "rowcount", 0))


class SqlApprovalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _row(r: RowMapping) -> Approval:
        return Approval(
            id=str(r["id"]), requester_id=str(r["requester_id"]), requester=r["requester"],
            conversation_id=str(r["conversation_id"]), action=r["action"], targets=tuple(r["targets"] or ()),
            service=r["service"], parameters=r["parameters"] or {}, risk=Risk(r["risk_level"]),
            action_hash=r["action_hash"], created_at=r["created_at"], lang=r["lang"], text=r["text"],
            state=ApprovalState(r["state"]), decided_by=r["decided_by"],
            decided_by_id=str(r["decided_by_id"]) if r["decided_by_id"] else None, decided_at=r["decided_at"],
            reason=r["reason"], expires_at=r["expires_at"])

    async def add(self, a: Approval) -> None:
        await self.session.execute(t_approvals.insert().values(
            id=_uuid(a.id), requester_id=_uuid(a.requester_id), requester=a.requester,
            conversation_id=_uuid(a.conversation_id), action=a.action, targets=list(a.targets), service=a.service,
            parameters=dict(a.parameters), risk_level=a.risk.value, action_hash=a.action_hash, state=a.state.value,
            lang=a.lang, text=a.text, created_at=a.created_at, expires_at=a.expires_at))

    async def get(self, approval_id: str, *, for_update: bool = False) -> Approval | None:
        key = _uuid(approval_id)
        if key is None:
            return None
        q = select(t_approvals).where(t_approvals.c.id == key)
        if for_update:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        return self._row(row) if row else None

    async def list(self, *, state: ApprovalState | None = None, requester_id: str | None = None,
                   limit: int = 100, pending_at: datetime | None = None) -> list[Approval]:
        """Newest first; `pending_at`: only requests still open at that time (requested, not expired)."""
        q = select(t_approvals)
        if state is not None:
            q = q.where(t_approvals.c.state == state.value)
        if pending_at is not None:
            q = q.where(t_approvals.c.state == ApprovalState.REQUESTED.value,
                        (t_approvals.c.expires_at.is_(None)) | (t_approvals.c.expires_at > pending_at))
        if requester_id is not None:
            q = q.where(t_approvals.c.requester_id == _uuid(requester_id))
        q = q.order_by(t_approvals.c.created_at.desc(), t_approvals.c.id).limit(limit)
        return [self._row(r) for r in (await self.session.execute(q)).mappings()]

    async def decide(self, a: Approval) -> bool:
        """Compare-and-set from `requested`: False when someone else decided first."""
        res = await self.session.execute(
            update(t_approvals).where(t_approvals.c.id == _uuid(a.id),
                                      t_approvals.c.state == ApprovalState.REQUESTED.value)
            .values(state=a.state.value, decided_by=a.decided_by, decided_by_id=_uuid(a.decided_by_id),
                    decided_at=a.decided_at, reason=a.reason))
        return bool(getattr(res, "rowcount", 0))


class SqlDeploymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _row(r: RowMapping) -> Deployment:
        return Deployment(
            id=str(r["id"]), application=r["application"], environment=r["environment"], version=r["version"],
            kind=DeploymentKind(r["kind"]), state=DeploymentState(r["state"]), hosts=tuple(r["hosts"] or ()),
            requested_by=r["requested_by"], approved_by=r["approved_by"],
            conversation_id=str(r["conversation_id"]) if r["conversation_id"] else None,
            failed_step=r["failed_step"], started_at=r["started_at"], finished_at=r["finished_at"])

    async def add(self, d: Deployment) -> None:
        await self.session.execute(t_deployments.insert().values(
            id=_uuid(d.id), application=d.application, environment=d.environment, version=d.version,
            kind=d.kind.value, state=d.state.value, hosts=list(d.hosts), requested_by=d.requested_by,
            approved_by=d.approved_by, conversation_id=_uuid(d.conversation_id), failed_step=d.failed_step,
            started_at=d.started_at, finished_at=d.finished_at))

    async def finish(self, d: Deployment) -> None:
        await self.session.execute(update(t_deployments).where(t_deployments.c.id == _uuid(d.id)).values(
            state=d.state.value, finished_at=d.finished_at, failed_step=d.failed_step))

    async def left_running(self) -> list[Deployment]:
        q = select(t_deployments).where(t_deployments.c.state == DeploymentState.RUNNING.value)
        return [self._row(r) for r in (await self.session.execute(q)).mappings()]

    async def history(self, application: str, *, environment: str | None = None,
                      limit: int = 50) -> list[Deployment]:
        """Newest first; `environment=None` means every environment."""
        q = select(t_deployments).where(t_deployments.c.application == application)
        if environment is not None:
            q = q.where(t_deployments.c.environment == environment)
        q = q.order_by(t_deployments.c.started_at.desc(), t_deployments.c.id).limit(limit)
        return [self._row(r) for r in (await self.session.execute(q)).mappings()]
