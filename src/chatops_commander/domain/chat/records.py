"""Conversations, messages and command records (seed tables `conversations`, `messages`, `commands`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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
