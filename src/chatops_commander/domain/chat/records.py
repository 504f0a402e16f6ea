"""Conversations, messages and command records (seed tables `conversations`, `messages`, `commands`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

TITLE_MAX = 80


@dataclass(frozen=True)
class Conversation:
    user_id: UUID
    title: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # the engine's state (parser context, options)
    id: UUID | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ChatMessage:
    conversation_id: UUID
    role: str  # "user" | "assistant"
    content: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: UUID | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class CommandRecord:
    """One executed or refused command on one server (or none, for refusals before targeting)."""

    command: str
    action: str | None
    actor: str
    user_id: UUID | None = None
    server_id: UUID | None = None
    server_name: str | None = None
    conversation_id: UUID | None = None
    parsed_intent: Mapping[str, Any] | None = None
    output: str | None = None
    exit_code: int | None = None
    outcome: str | None = None  # ok | failed | ... | refused
    risk_level: str | None = None
    confirmed: bool = False
    executed_at: datetime | None = None
    duration_ms: int | None = None
    id: UUID | None = None
    state: str = "succeeded"  # CommandState value (written ahead: pending → running → …)
    door: str | None = None  # where the request came from: web | rest | ws | cli | …
    finished_at: datetime | None = None


class CommandState(StrEnum):
    """A `commands` row's life: written before the command is sent, closed when its result is known."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"  # the server stopped while it ran (found at the next start)
    REFUSED = "refused"

    @classmethod
    def of_outcome(cls, outcome: str) -> CommandState:
        """The final state for a host outcome (ok, failed, timed_out, unreachable, …)."""
        if outcome == "ok":
            return cls.SUCCEEDED
        if outcome == "timed_out":
            return cls.TIMED_OUT
        return cls.FAILED

    @property
    def open(self) -> bool:
        return self in (CommandState.PENDING, CommandState.RUNNING)


@dataclass(frozen=True)
class CommandQuery:
    """Filters of the command history (all optional); newest first."""

    user_id: UUID | None = None
    server: str | None = None  # server name, exact
    action: str | None = None  # action id or a prefix of it ("service.")
    outcome: str | None = None  # ok | failed | refused… ("refused" also matches "refused:<why>")
    since: datetime | None = None
    until: datetime | None = None
    offset: int = 0
    limit: int = 100


def title_from(text: str) -> str:
    """A conversation's automatic title: its first request, on one line, at most 80 characters."""
    one = " ".join(text.split())
    return one if len(one) <= TITLE_MAX else one[: TITLE_MAX - 1].rstrip() + "…"
