"""Chat events: what a turn emits, in order, to REST (the list in the reply) and WebSocket (one frame each).

Every event's JSON form is `{"type": ..., "conversation_id": ..., ...}`; see docs/chat-events.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

EVENT_TYPES = ("message", "confirmation_required", "approval_required", "progress", "result", "error")


@dataclass(frozen=True)
class ChatEvent:
    type: ClassVar[str] = ""
    conversation_id: str

    def body(self) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "conversation_id": self.conversation_id, **self.body()}


@dataclass(frozen=True)
class MessageEvent(ChatEvent):
    """A persisted message (the user's or the assistant's)."""

    type: ClassVar[str] = "message"
    message_id: str = ""
    role: str = "assistant"
    content: str = ""
    lang: str = "en"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    created_at: str = ""

    def body(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "role": self.role, "content": self.content, "lang": self.lang,
                "metadata": dict(self.metadata), "created_at": self.created_at}


@dataclass(frozen=True)
class ConfirmationRequired(ChatEvent):
    type: ClassVar[str] = "confirmation_required"
    confirmation_id: str = ""
    action: str = ""
    targets: tuple[str, ...] = ()
    service: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    risk: str = "medium"
    impact: str = ""
    card: str = ""
    action_hash: str = ""
    expires_at: str = ""
    risk_note: str = ""  # what lowers the impact, from the diagnosis the fix was chosen from ("web-02 takes over")

    def body(self) -> dict[str, Any]:
        return {"confirmation_id": self.confirmation_id, "action": self.action, "targets": list(self.targets),
                "service": self.service, "parameters": dict(self.parameters), "risk": self.risk,
                "impact": self.impact, "card": self.card, "action_hash": self.action_hash,
                "expires_at": self.expires_at, "risk_note": self.risk_note}


@dataclass(frozen=True)
class ApprovalRequired(ChatEvent):
    type: ClassVar[str] = "approval_required"
    approval_id: str = ""
    action: str = ""
    targets: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    risk: str = "high"
    requester: str = ""
    state: str = "requested"
    expires_at: str | None = None  # ISO-8601: the request can no longer be approved after this

    def body(self) -> dict[str, Any]:
        return {"approval_id": self.approval_id, "action": self.action, "targets": list(self.targets),
                "parameters": dict(self.parameters), "risk": self.risk, "requester": self.requester,
                "state": self.state, "expires_at": self.expires_at}


@dataclass(frozen=True)
class Progress(ChatEvent):
    """One host finished (or a runbook step started/finished)."""

    type: ClassVar[str] = "progress"
    action: str = ""
    host: str | None = None
    status: str = ""  # running | ok | failed | timed_out | unreachable | ... | step_started | step_done
    text: str = ""
    step: int | None = None
    steps: int | None = None
    duration_ms: int | None = None

    def body(self) -> dict[str, Any]:
        return {"action": self.action, "host": self.host, "status": self.status, "text": self.text,
                "step": self.step, "steps": self.steps, "duration_ms": self.duration_ms}


@dataclass(frozen=True)
class ResultEvent(ChatEvent):
    type: ClassVar[str] = "result"
    action: str = ""
    ok: bool = True
    summary: str = ""
    hosts: Mapping[str, Any] = field(default_factory=dict)  # host → {outcome, exit_code, duration_ms}
    data: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"action": self.action, "ok": self.ok, "summary": self.summary, "hosts": dict(self.hosts),
                "data": dict(self.data)}


@dataclass(frozen=True)
class ErrorEvent(ChatEvent):
    type: ClassVar[str] = "error"
    code: str = "error"
    message: str = ""

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}
