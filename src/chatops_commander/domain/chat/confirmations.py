"""Confirmations of risky actions (seed "Confirmations actions critiques").

A confirmation is single-use, expires after five minutes and is bound to the user, the
conversation and the SHA-256 of the canonical action (action id, sorted targets, service,
parameters). `check()` says why a confirmation cannot be used; the caller audits refusals.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chatops_commander.domain.risk import Risk

CONFIRMATION_TTL = timedelta(minutes=5)


class ConfirmationState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


def canonical_action(action: str, targets: Sequence[str], service: str | None,
                     parameters: Mapping[str, Any]) -> str:
    """The exact action as canonical JSON (sorted keys, sorted targets, no spaces)."""
    return json.dumps({"action": action, "targets": sorted(targets), "service": service,
                       "parameters": dict(parameters)}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def action_hash(action: str, targets: Sequence[str], service: str | None, parameters: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_action(action, targets, service, parameters).encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Confirmation:
    id: str
    user_id: str
    conversation_id: str
    action: str
    targets: tuple[str, ...]
    service: str | None
    parameters: Mapping[str, Any]
    risk: Risk
    action_hash: str
    created_at: datetime
    expires_at: datetime
    lang: str = "en"
    state: ConfirmationState = ConfirmationState.PENDING
    decided_at: datetime | None = None
    text: str = ""  # the request that led to it
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. the diagnosis option it came from

    @classmethod
    def create(cls, *, user_id: str, conversation_id: str, action: str, targets: Sequence[str],
               service: str | None, parameters: Mapping[str, Any], risk: Risk, now: datetime, lang: str = "en",
               text: str = "", token: str | None = None, ttl: timedelta = CONFIRMATION_TTL,
               extra: Mapping[str, Any] | None = None) -> Confirmation:
        return cls(id=token or new_token(), user_id=user_id, conversation_id=conversation_id, action=action,
                   targets=tuple(sorted(targets)), service=service, parameters=dict(parameters), risk=risk,
                   action_hash=action_hash(action, targets, service, parameters), created_at=now,
                   expires_at=now + ttl, lang=lang, text=text, extra=dict(extra or {}))

    @property
    def computed_hash(self) -> str:
        return action_hash(self.action, self.targets, self.service, self.parameters)

    def confirmed(self, now: datetime) -> Confirmation:
        return replace(self, state=ConfirmationState.CONFIRMED, decided_at=now)

    def cancelled(self, now: datetime) -> Confirmation:
        return replace(self, state=ConfirmationState.CANCELLED, decided_at=now)

    def expired(self, now: datetime) -> Confirmation:
        return replace(self, state=ConfirmationState.EXPIRED, decided_at=now)


class Refusal(StrEnum):
    REPLAYED = "replayed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    OTHER_USER = "other_user"
    OTHER_CONVERSATION = "other_conversation"
    TAMPERED = "tampered"


_REASONS: dict[Refusal, tuple[str, str]] = {
    Refusal.REPLAYED: ("This confirmation was already used: I run a confirmed action only once. "
                       "Ask again if you want it run again.",
                       "Cette confirmation a déjà été utilisée : je n'exécute une action confirmée qu'une fois. "
                       "Redemandez-la si vous voulez la relancer."),
    Refusal.CANCELLED: ("This action was cancelled; I will not run it.",
                        "Cette action a été annulée ; je ne la lancerai pas."),
    Refusal.EXPIRED: ("This confirmation expired (5 minutes): ask again and I will prepare a new one.",
                      "Cette confirmation a expiré (5 minutes) : redemandez l'action et j'en préparerai une nouvelle."),
    Refusal.OTHER_USER: ("This confirmation belongs to someone else: only the person who asked can confirm it.",
                         "Cette confirmation appartient à quelqu'un d'autre : seule la personne qui a demandé "
                         "l'action peut la confirmer."),
    Refusal.OTHER_CONVERSATION: ("This confirmation belongs to another conversation.",
                                 "Cette confirmation appartient à une autre conversation."),
    Refusal.TAMPERED: ("This confirmation does not match the action it was issued for; I refuse it.",
                       "Cette confirmation ne correspond pas à l'action pour laquelle elle a été émise ; "
                       "je la refuse."),
}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    refusal: Refusal | None = None

    def reason(self, lang: str) -> str:
        if self.refusal is None:
            return ""
        en, fr = _REASONS[self.refusal]
        return fr if lang == "fr" else en

    @property
    def audit_kind(self) -> str:
        """Which audit event a refusal is: "replayed", "expired" or "forged"."""
        if self.refusal in (Refusal.REPLAYED, Refusal.CANCELLED):
            return "replayed"
        if self.refusal is Refusal.EXPIRED:
            return "expired"
        return "forged"


def check(conf: Confirmation, *, user_id: str, conversation_id: str, now: datetime,
          presented_hash: str | None = None) -> Verdict:
    """Whether `user_id` may use `conf` now in `conversation_id` (ownership first, then state)."""
    if conf.user_id != user_id:
        return Verdict(False, Refusal.OTHER_USER)
    if conf.conversation_id != conversation_id:
        return Verdict(False, Refusal.OTHER_CONVERSATION)
    if conf.computed_hash != conf.action_hash or (presented_hash is not None and presented_hash != conf.action_hash):
        return Verdict(False, Refusal.TAMPERED)
    if conf.state is ConfirmationState.CONFIRMED:
        return Verdict(False, Refusal.REPLAYED)
    if conf.state is ConfirmationState.CANCELLED:
        return Verdict(False, Refusal.CANCELLED)
    if conf.state is ConfirmationState.EXPIRED or now >= conf.expires_at:
        return Verdict(False, Refusal.EXPIRED)
    return Verdict(True)
