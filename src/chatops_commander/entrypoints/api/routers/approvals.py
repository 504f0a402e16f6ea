"""Approval requests (4-eyes): admins list, approve or reject; approving runs the action and
posts the outcome to the requester's conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from chatops_commander.domain.chat.approvals import Approval, ApprovalState
from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.api.deps import PrincipalDep
from chatops_commander.entrypoints.api.routers.conversations import ChatDep
from chatops_commander.entrypoints.api.schemas import NO_NUL
from chatops_commander.services.chat import ChatService

router = APIRouter(tags=["approvals"])


class StepRead(BaseModel):
    """One step of the runbook an approved deploy or rollback runs (what the approver agrees to)."""

    kind: str
    name_en: str
    name_fr: str


class ApprovalRead(BaseModel):
    id: UUID
    state: ApprovalState
    action: str
    targets: list[str]
    service: str | None
    parameters: dict[str, Any]
    risk: str
    requester: str
    conversation_id: UUID
    text: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    expires_at: datetime | None = Field(default=None, description="It can no longer be approved after this.")
    expired: bool = Field(default=False, description="Still `requested` past `expires_at`: nobody decided in time.")
    steps: list[StepRead] = Field(default_factory=list,
                                  description="A deploy's or rollback's runbook steps, in order (empty otherwise).")

    @classmethod
    def of(cls, a: Approval, now: datetime, chat: ChatService | None = None) -> ApprovalRead:
        return cls(steps=_steps(a, chat) if chat is not None else [], id=UUID(a.id),
                   state=a.state, action=a.action, targets=list(a.targets), service=a.service,
                   parameters=dict(a.parameters), risk=a.risk.value, requester=a.requester,
                   conversation_id=UUID(a.conversation_id), text=a.text, created_at=a.created_at,
                   decided_by=a.decided_by, decided_at=a.decided_at, reason=a.reason, expires_at=a.expires_at,
                   expired=a.expired(now))


def _steps(a: Approval, chat: ChatService) -> list[StepRead]:
    if a.action not in ("app.deploy", "app.rollback"):
        return []
    environment = a.parameters.get("environment")
    try:
        book = chat.deploys.runbook(str(environment) if environment else None)
    except DomainError:  # the runbook was removed since: the approval still shows the rest
        return []
    return [StepRead(kind=s.kind.value, name_en=s.name_en, name_fr=s.name_fr)
            for s in book.steps_for(a.action == "app.rollback")]


class Decision(BaseModel):
    reason: str | None = Field(default=None, max_length=500, pattern=NO_NUL, description="Required to reject.")


class DecisionRead(BaseModel):
    approval: ApprovalRead
    reply: dict[str, Any] | None = Field(description="The turn posted to the requester's conversation.")


@router.get("/approvals", response_model=list[ApprovalRead],
            description="Admins (the approvers) see every request; others see their own. "
                        "`status=pending`: only those still waiting for a decision and not expired.")
async def list_approvals(principal: PrincipalDep, chat: ChatDep,
                         state: Annotated[ApprovalState | None, Query()] = None,
                         status: Annotated[Literal["pending"] | None, Query()] = None) -> list[ApprovalRead]:
    now = chat.clock.now()
    return [ApprovalRead.of(a, now, chat) for a in await chat.list_approvals(principal, state=state,
                                                                       pending=status == "pending")]


@router.post("/approvals/{approval_id:uuid}/approve", response_model=DecisionRead)
async def approve(approval_id: UUID, principal: PrincipalDep, chat: ChatDep,
                  body: Decision | None = None) -> DecisionRead:
    done, reply = await chat.decide_approval(principal, str(approval_id), approve=True,
                                             reason=body.reason if body else None)
    return DecisionRead(approval=ApprovalRead.of(done, chat.clock.now(), chat),
                        reply=reply.to_json() if reply else None)


@router.post("/approvals/{approval_id:uuid}/reject", response_model=DecisionRead)
async def reject(approval_id: UUID, body: Decision, principal: PrincipalDep, chat: ChatDep) -> DecisionRead:
    done, reply = await chat.decide_approval(principal, str(approval_id), approve=False, reason=body.reason)
    return DecisionRead(approval=ApprovalRead.of(done, chat.clock.now(), chat),
                        reply=reply.to_json() if reply else None)
