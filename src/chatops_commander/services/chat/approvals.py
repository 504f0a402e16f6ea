"""The approval desk (4-eyes): requests stored with their deadline, listed for approvers, decided by another
person after the requester is checked again. Deciding changes state and audits (with the door it was decided
from: web, rest, cli, mcp, a chat platform); carrying out the approved action and telling the requester are the
chat door's (`door.ChatDoor.decided`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from chatops_commander.domain.chat.approvals import APPROVAL_TTL, Approval, ApprovalState, decide
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.users import User
from chatops_commander.services import access, audit
from chatops_commander.services.actions import ActionPipeline, ActionRequest, NeedsApproval
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import AuthMethod, Principal


def principal_of(user: User, *, request_id: str | None) -> Principal:
    """The requester, as the system acts for them once an admin approved (their current role)."""
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.SYSTEM,
                     language=user.language, request_id=request_id)


def intent_of(approval: Approval) -> dict[str, Any]:
    return {"action": approval.action, "targets": list(approval.targets), "service": approval.service,
            "parameters": dict(approval.parameters), "risk": approval.risk.value}


@dataclass(frozen=True)
class Decided:
    approval: Approval
    conversation: Conversation | None
    requester: User | None


class ApprovalDesk:
    def __init__(self, uow: ChatUnitOfWorkFactory, pipeline: ActionPipeline, *, clock: Clock,
                 ttl: timedelta = APPROVAL_TTL) -> None:
        self.uow, self.pipeline, self.clock, self.ttl = uow, pipeline, clock, ttl

    async def request(self, principal: Principal, conversation_id: str, lang: str, request: ActionRequest,
                      needed: NeedsApproval) -> Approval:
        approval = Approval.request(requester_id=str(principal.user_id), requester=principal.actor,
                                    conversation_id=conversation_id, action=request.action,
                                    targets=[s.name for s in needed.servers], service=request.service,
                                    parameters=dict(request.parameters), risk=needed.risk, now=self.clock.now(),
                                    lang=lang, text=request.text, ttl=self.ttl)
        async with self.uow() as uow:
            await uow.approvals.add(approval)
            await audit.record(uow, principal, AuditAction.APPROVAL_REQUESTED, target=",".join(approval.targets),
                               details={"approval_id": approval.id, "expires_at": approval.expires_at,
                                        **intent_of(approval)})
            await uow.commit()
        return approval

    async def list(self, principal: Principal, *, state: ApprovalState | None = None,
                   pending: bool = False) -> list[Approval]:
        """Admins (the approvers) see every request, others their own; `pending`: still open (not expired)."""
        at = self.clock.now() if pending else None
        async with self.uow() as uow:
            if principal.role is Role.ADMIN:
                return await uow.approvals.list(state=state, pending_at=at)
            return await uow.approvals.list(state=state, requester_id=str(principal.user_id), pending_at=at)

    async def decide(self, approver: Principal, approval_id: str, *, approve: bool, reason: str | None,
                     door: str = "rest") -> Decided:
        """Approve or reject; raises NotFound, PermissionDenied (role, own request, requester no longer allowed),
        Conflict (decided already, expired, tampered)."""
        async with self.uow() as uow:
            approval = await uow.approvals.get(approval_id)
            requester = await uow.users.get(UUID(approval.requester_id)) if approval else None
        if approval is None:
            raise NotFound("No such approval request.", message_fr="Demande d'approbation introuvable.")
        try:
            done = decide(approval, approver_role=approver.role, approver_id=str(approver.user_id),
                          approver=approver.actor, approve=approve, reason=reason, now=self.clock.now())
        except PermissionDenied as exc:
            await audit.record_alone(self.uow, approver, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                     target=approval_id, details={"action": "approvals.decide", "reason": exc.message,
                                                                  "door": door})
            raise
        if approve:  # the requester may have lost the role or the rights on a server since asking
            await self._requester_may_still(approver, approval, requester, door)
        async with self.uow() as uow:
            if not await uow.approvals.decide(done):
                raise Conflict("Someone decided this request first.",
                               message_fr="Quelqu'un a traité cette demande avant vous.")
            await audit.record(uow, approver, AuditAction.APPROVAL_APPROVED if approve
                               else AuditAction.APPROVAL_REJECTED, target=",".join(done.targets),
                               details={"approval_id": done.id, "requester": done.requester, "reason": done.reason,
                                        "action": done.action, "door": door})
            conversation = await uow.conversations.get(UUID(done.conversation_id))
            await uow.commit()
        return Decided(done, conversation, requester)

    async def _requester_may_still(self, approver: Principal, approval: Approval, requester: User | None,
                                   door: str) -> None:
        """Refuse the approval when the requester was disabled or may no longer run the action there."""
        spec = self.pipeline.specs.get(approval.action)
        why_en = why_fr = ""
        if requester is None or not requester.is_active:
            why_en, why_fr = "the requester's account is disabled", "le compte du demandeur est désactivé"
        elif spec is None:
            why_en, why_fr = (f"the action {approval.action} no longer exists",
                              f"l'action {approval.action} n'existe plus")
        else:
            try:
                servers = await self.pipeline.servers_named(list(approval.targets))
                await access.authorize_on_servers(
                    self.uow, principal_of(requester, request_id=approver.request_id), servers,
                    permission=spec.permission, risk=approval.risk, action_id=approval.action,
                    approval_for_operators=spec.approval_for_operators)
            except DomainError as exc:
                why_en, why_fr = exc.localized("en"), exc.localized("fr")
        if not why_en:
            return
        await audit.record_alone(self.uow, approver, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                 target=approval.id, details={"action": "approvals.decide", "door": door,
                                                              "reason": "requester_not_allowed", "why": why_en})
        raise PermissionDenied(f"I cannot carry out this request for {approval.requester}: {why_en}.",
                               message_fr=f"Je ne peux pas exécuter cette demande pour {approval.requester} : "
                                          f"{why_fr}.")
