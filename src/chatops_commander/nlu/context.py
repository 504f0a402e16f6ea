"""Per-conversation state: what the last turns were about (docs/ACTIONS.md rule 5).

Pure and serializable (`to_dict` / `from_dict`) so the chat engine can persist it. The parser
never mutates a context; it returns the next one (`Parser.parse_turn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

OPTION_KINDS = ("target", "service", "action", "external")


@dataclass(frozen=True)
class ConversationContext:
    lang: str | None = None
    action: str | None = None  # last action asked for, even when it was waiting for a clarification
    targets: tuple[str, ...] = ()
    service: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    pending: bool = False  # the last turn ended with a clarification about `action`
    options: tuple[str, ...] = ()  # numbered options last offered (1-based in the conversation)
    option_kind: str | None = None  # "target" | "service" | "action" | "external"
    turns: int = 0
    awaiting_confirmation: bool = False  # the last turn's answer was a card that needs a yes or a no

    @property
    def offers_details(self) -> bool:
        """The assistant's last answer offered numbered follow-ups ("Need details?") and no card waits."""
        return self.option_kind == "external" and bool(self.options) and not self.awaiting_confirmation

    @property
    def is_empty(self) -> bool:
        return self.turns == 0 and self.action is None and not self.targets

    def option(self, number: int) -> str | None:
        """The option a number designates (1-based; -1 is the last one)."""
        if not self.options:
            return None
        if number == -1:
            return self.options[-1]
        return self.options[number - 1] if 1 <= number <= len(self.options) else None

    def offering(self, options: tuple[str, ...] | list[str], kind: str = "external") -> ConversationContext:
        """The chat engine records options it offered itself (e.g. a diagnosis' numbered remedies)."""
        return replace(self, options=tuple(options), option_kind=kind if options else None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang, "action": self.action, "targets": list(self.targets), "service": self.service,
            "parameters": dict(self.parameters), "pending": self.pending, "options": list(self.options),
            "option_kind": self.option_kind, "turns": self.turns,
            "awaiting_confirmation": self.awaiting_confirmation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationContext:
        kind = data.get("option_kind")
        return cls(
            lang=data.get("lang") if data.get("lang") in ("en", "fr") else None,
            action=data.get("action") if isinstance(data.get("action"), str) else None,
            targets=tuple(str(t) for t in data.get("targets") or ()),
            service=data.get("service") if isinstance(data.get("service"), str) else None,
            parameters=dict(data.get("parameters") or {}),
            pending=bool(data.get("pending", False)),
            options=tuple(str(o) for o in data.get("options") or ()),
            option_kind=kind if kind in OPTION_KINDS else None,
            turns=int(data.get("turns") or 0),
            awaiting_confirmation=bool(data.get("awaiting_confirmation", False)),
        )
