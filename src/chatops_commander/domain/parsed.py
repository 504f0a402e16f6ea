"""ParsedCommand: the parser's answer (ACTIONS.md, "ParsedCommand")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.domain.actions import Intent
from chatops_commander.domain.risk import Risk


@dataclass(frozen=True)
class ParsedCommand:
    text: str
    lang: str
    intent: Intent
    action: str | None
    targets: tuple[str, ...] = ()
    service: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    risk: Risk = Risk.LOW
    confidence: float = 0.0
    clarification: str | None = None
    suggestions: tuple[str, ...] = ()  # closest action ids when nothing fits
    options: tuple[str, ...] = ()  # numbered options offered with a clarification

    @property
    def requires_confirmation(self) -> bool:
        return self.risk.requires_confirmation

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object, keys in the documented order."""
        return {
            "text": self.text,
            "lang": self.lang,
            "intent": self.intent.value,
            "action": self.action,
            "targets": sorted(self.targets),
            "service": self.service,
            "parameters": dict(self.parameters),
            "risk": self.risk.value,
            "requires_confirmation": self.requires_confirmation,
            "confidence": round(self.confidence, 3),
            "clarification": self.clarification,
        }
