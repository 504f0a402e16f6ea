"""What every part of a chat turn shares: the turn's state, its events, the audit records it leaves.

`TurnTools` is what the chat door, its queries and the deploy runner share (by composition, never by
inheritance): publish an event to the owner's WebSocket connections, resolve server names, run
read-only checks, and hand what ran to the one `CommandJournal` (the seed's `commands` rows plus the
hash-chained audit events).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.events import ChatEvent, MessageEvent, Progress
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.execution import RunResult
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.domain.servers import Server
from chatops_commander.services import servers as server_service
from chatops_commander.services.actions.journal import CommandJournal, Entry
from chatops_commander.services.chat.hub import ChatHub
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory
from chatops_commander.services.execution import FanOut
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import Principal
from chatops_commander.services.tracing import NOOP_SPAN, Span


@dataclass
class TurnReply:
    conversation_id: str
    message: MessageEvent | None = None
    events: list[ChatEvent] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id,
                "message": self.message.to_json() if self.message else None,
                "events": [e.to_json() for e in self.events]}


@dataclass
class Turn:
    """What one turn accumulates: the events (in order) and the conversation's engine state."""

    principal: Principal
    conversation: Conversation
    lang: str
    state: dict[str, Any]
    events: list[ChatEvent] = field(default_factory=list)
    span: Span = NOOP_SPAN  # the turn's span, for attributes known only deep in the turn
    door: str = "rest"  # where the turn came from: web | rest | ws | …
    door_detail: str = ""  # who there, e.g. "slack:T1:U123"
    restriction: ChannelRestriction | None = None  # what the place allows (a chat channel's policy)

    @property
    def cid(self) -> str:
        return str(self.conversation.id)

    @property
    def fr(self) -> bool:
        return self.lang == "fr"


class TurnTools:
    def __init__(self, uow: ChatUnitOfWorkFactory, fanout: FanOut, *, clock: Clock, hub: ChatHub | None = None,
                 on_command: Callable[[str, str], None] | None = None) -> None:
        self.uow, self.fanout, self.clock = uow, fanout, clock
        self.hub = hub or ChatHub()
        self.on_command = on_command  # (action, outcome), e.g. for /metrics
        self.journal = CommandJournal(uow, clock=clock, on_command=on_command)

    def emit(self, turn: Turn, event: ChatEvent) -> None:
        turn.events.append(event)
        if turn.conversation.user_id is not None:
            self.hub.publish(str(turn.conversation.user_id), event.to_json())

    async def servers_named(self, names: Sequence[str]) -> list[Server]:
        return await server_service.servers_named(self.uow, names)

    @staticmethod
    def host_line(res: RunResult, lang: str) -> str:
        return wording.host_line(res, lang)

    async def run_checks(self, turn: Turn, action: str, servers: Sequence[Server], raw: Mapping[str, Any], *,
                         progress: bool = True, deadline_s: float = 300.0) -> list[RunResult]:
        """Run a (read-only) action for a query of this turn; results sorted by host (a host still running at
        `deadline_s` is `timed_out`)."""
        results: list[RunResult] = []
        async for res in self.fanout.stream(action, raw, servers, deadline_s=deadline_s):
            results.append(res)
            if progress:
                self.emit(turn, Progress(turn.cid, action=action, host=res.host, status=res.outcome.value,
                                          text=self.host_line(res, turn.lang), duration_ms=res.duration_ms))
        return sorted(results, key=lambda r: r.host)

    async def record_results(self, turn: Turn, action: str, servers: Sequence[Server], results: Sequence[RunResult],
                             commands: Mapping[str, str], intent: Mapping[str, Any], risk: Risk,
                             confirmed: bool, *, principal: Principal | None = None) -> None:
        """Results of checks run inside a query (diagnosis): recorded through the one journal."""
        await self.journal.record(self.entry(turn, action, intent, risk, confirmed, principal), servers, results,
                                  commands)

    def entry(self, turn: Turn, action: str, intent: Mapping[str, Any], risk: Risk, confirmed: bool,
              principal: Principal | None = None) -> Entry:
        return Entry(principal=principal or turn.principal, action=action, risk=risk, confirmed=confirmed,
                     door=turn.door, door_detail=turn.door_detail, intent=dict(intent),
                     conversation_id=turn.conversation.id)
