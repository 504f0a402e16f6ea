"""Approval requests (4-eyes): an operator's `app.deploy` waits for another person, an admin.

requested → approved | rejected (with a reason). The requester never decides their own request
(`authorization.can_approve`). Pure: the service stores and audits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chatops_commander.domain.chat.confirmations import action_hash
from chatops_commander.domain.errors import Conflict, PermissionDenied, ValidationFailed
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import can_approve

REASON_MAX = 500
APPROVAL_TTL = timedelta(hours=1)  # default; CHATOPS_APPROVAL_TTL_MINUTES


class ApprovalState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Approval:
    id: str
    requester_id: str
    requester: str  # e-mail, kept for display and audit
    conversation_id: str
    action: str
    targets: tuple[str, ...]
    service: str | None
    parameters: Mapping[str, Any]
    risk: Risk
    action_hash: str
    created_at: datetime
    lang: str = "en"
    text: str = ""
    state: ApprovalState = ApprovalState.REQUESTED
    decided_by: str | None = None
    decided_by_id: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None  # None: requests made before approvals expired (migration 0007)

    @classmethod
    def request(cls, *, requester_id: str, requester: str, conversation_id: str, action: str,
                targets: Sequence[str], service: str | None, parameters: Mapping[str, Any], risk: Risk,
                now: datetime, lang: str = "en", text: str = "", ttl: timedelta = APPROVAL_TTL) -> Approval:
        return cls(id=str(uuid.uuid4()), requester_id=requester_id, requester=requester,
                   conversation_id=conversation_id, action=action, targets=tuple(sorted(targets)), service=service,
                   parameters=dict(parameters), risk=risk,
                   action_hash=action_hash(action, targets, service, parameters), created_at=now, lang=lang,
                   text=text, expires_at=now + ttl)

    def expired(self, now: datetime) -> bool:
        """Still waiting past its deadline: it can no longer be approved."""
        return self.state is ApprovalState.REQUESTED and self.expires_at is not None and now >= self.expires_at

    def shown_state(self, now: datetime) -> str:
        """`requested`, `approved`, `rejected`, or `expired` (a request nobody decided in time)."""
        return "expired" if self.expired(now) else self.state.value

    @property
    def intact(self) -> bool:
        return action_hash(self.action, self.targets, self.service, self.parameters) == self.action_hash


def decide(approval: Approval, *, approver_role: Role, approver_id: str, approver: str, approve: bool,
           reason: str | None, now: datetime) -> Approval:
    """The decided request; raises PermissionDenied (role, own request), Conflict (already decided)."""
    decision = can_approve(approver_role, approver_id, approval.requester_id)
    if not decision.allowed:
        raise PermissionDenied(decision.reason_en, message_fr=decision.reason_fr)
    if approval.state is not ApprovalState.REQUESTED:
        raise Conflict(f"This request was already {approval.state.value}.",
                       message_fr=f"Cette demande a déjà été traitée ({_FR_STATE[approval.state]}).")
    if approve and approval.expired(now):
        raise Conflict(f"This request expired at {approval.expires_at:%Y-%m-%d %H:%M} UTC: ask again.",
                       message_fr=f"Cette demande a expiré le {approval.expires_at:%Y-%m-%d à %H:%M} UTC : "
                                  f"redemandez-la.")
    if not approval.intact:
        raise Conflict("This request does not match the action it was made for; I refuse it.",
                       message_fr="Cette demande ne correspond plus à l'action demandée ; je la refuse.")
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise ValidationFailed([("reason", f"at most {REASON_MAX} characters")])
    if not approve and not text:
        raise ValidationFailed([("reason", "a rejection needs a reason")])
    return replace(approval, state=ApprovalState.APPROVED if approve else ApprovalState.REJECTED,
                   decided_by=approver, decided_by_id=approver_id, decided_at=now, reason=text or None)


_FR_STATE = {ApprovalState.REQUESTED: "demandée", ApprovalState.APPROVED: "approuvée",
             ApprovalState.REJECTED: "rejetée"}
