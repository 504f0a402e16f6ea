"""The hook for a second opinion (e.g. an LLM strategy) when the offline parser is unsure.

A strategy implements `propose`; the parser validates whatever it proposes against the catalog
and applies the same resolution and risk rules, so a proposal can never widen what executes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext


@dataclass(frozen=True)
class Proposal:
    """A catalog action with arguments, as proposed by a strategy (names are checked again)."""

    action: str
    targets: tuple[str, ...] = ()
    service: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    confidence: float = 0.7


class FallbackStrategy(Protocol):
    async def propose(
        self, *, text: str, lang: str, catalog: Sequence[ActionSpec], inventory: Inventory,
        context: ConversationContext, offline: ParsedCommand,
    ) -> Proposal | None: ...
