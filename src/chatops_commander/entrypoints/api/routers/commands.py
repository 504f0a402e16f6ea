"""The command history: `GET /api/v1/commands` (admins: everyone's; others: their own)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.entrypoints.api.deps import PrincipalDep
from chatops_commander.entrypoints.api.routers.conversations import ChatDep
from chatops_commander.entrypoints.api.schemas import NO_NUL, IsoDateTime
from chatops_commander.services import commands as service

router = APIRouter(tags=["commands"])


class CommandRead(BaseModel):
    id: UUID
    executed_at: datetime | None
    actor: str
    user_id: UUID | None
    action: str | None
    command: str
    server: str | None
    conversation_id: UUID | None
    risk_level: str | None
    confirmed: bool
    outcome: str | None
    exit_code: int | None
    duration_ms: int | None
    output: str | None
    intent: dict[str, Any] | None
    state: str = "succeeded"  # pending | running | succeeded | failed | timed_out | interrupted | refused
    door: str | None = None  # web | rest | ws | cli | …: where the request came from
    finished_at: datetime | None = None

    @classmethod
    def of(cls, c: CommandRecord) -> CommandRead:
        assert c.id is not None
        return cls(id=c.id, executed_at=c.executed_at, actor=c.actor, user_id=c.user_id, action=c.action,
                   command=c.command, server=c.server_name, conversation_id=c.conversation_id,
                   risk_level=c.risk_level, confirmed=c.confirmed, outcome=c.outcome, exit_code=c.exit_code,
                   duration_ms=c.duration_ms, output=c.output,
                   intent=dict(c.parsed_intent) if c.parsed_intent is not None else None, state=c.state, door=c.door,
                   finished_at=c.finished_at)


class CommandPage(BaseModel):
    items: list[CommandRead]
    total: int
    offset: int
    limit: int


@router.get("/commands", response_model=CommandPage)
async def list_commands(
    principal: PrincipalDep, chat: ChatDep,
    server: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    action: Annotated[str | None, Query(max_length=100, pattern=NO_NUL,
                                        description="an action id or its prefix")] = None,
    outcome: Annotated[Literal["ok", "failed", "timed_out", "unreachable", "auth_failed", "host_key_mismatch",
                               "host_key_unknown", "error", "refused", "interrupted"] | None, Query()] = None,
    user_id: Annotated[UUID | None, Query(description="admins only; others always see their own")] = None,
    since: IsoDateTime | None = None, until: IsoDateTime | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CommandPage:
    """Every executed or refused command (one row per host), newest first, with its output and intent."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise ValidationFailed([(name, "give a time zone (e.g. 2026-11-23T12:00:00Z)")])
    items, total = await service.list_commands(chat.uow, principal, CommandQuery(
        user_id=user_id, server=server, action=action, outcome=outcome, since=since, until=until, offset=offset,
        limit=limit))
    return CommandPage(items=[CommandRead.of(c) for c in items], total=total, offset=offset, limit=limit)
