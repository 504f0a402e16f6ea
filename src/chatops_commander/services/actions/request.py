"""What a door hands to the pipeline (`ActionRequest`) and what it gets back, as data.

A door (the web UI, the REST API, the WebSocket, the CLI, and the chat platforms and MCP that
come next) turns its input into an `ActionRequest` and renders the outcome: `Ran` (per-host
results), `NeedsConfirmation` (the door asks the user, then submits again with `confirmed`),
`NeedsApproval` (an admin must approve; the request is stored) or `Refused` (why, in English and
French). Nothing in here knows how a door looks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.execution import RunResult
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.domain.servers import Server
from chatops_commander.services.principal import Principal


class Door(StrEnum):
    WEB = "web"
    REST = "rest"
    WS = "ws"
    CLI = "cli"
    SLACK = "slack"
    MATTERMOST = "mattermost"
    TEAMS = "teams"
    MATRIX = "matrix"
    MCP = "mcp"


@dataclass(frozen=True)
class ActionRequest:
    """One action for one principal on named servers, from one door.

    `confirmed`: the door already obtained the user's "yes" (a confirmation card answered, the CLI's
    prompt or `--yes`); `approval_id`: the admin's approval this run carries out; `restriction`: what the
    place the request comes from allows (a chat channel's policy), checked on the resolved request.
    """

    principal: Principal
    action: str
    targets: tuple[str, ...]
    parameters: Mapping[str, Any]
    door: Door
    door_detail: str = ""  # e.g. the client's name, the chat platform's workspace
    service: str | None = None
    text: str = ""  # what the user typed, when there was a text
    conversation_id: UUID | None = None
    confirmed: bool = False
    approval_id: str | None = None
    approved_by: str | None = None
    risk_floor: Risk = Risk.LOW  # e.g. the parser's reading of the sentence
    follow_up: bool = False  # the answer to an earlier submit (confirmation, approval): not counted again
    context: Any = field(default=None, compare=False)  # the door's own state for its handlers (a chat turn)
    intent: Mapping[str, Any] | None = None  # the parsed intent kept on the `commands` rows
    restriction: ChannelRestriction | None = None  # a chat channel's policy: narrows, never widens

    def parsed_intent(self, risk: Risk) -> dict[str, Any]:
        return dict(self.intent or {"action": self.action, "targets": sorted(self.targets), "service": self.service,
                                    "parameters": dict(self.parameters), "risk": risk.value})


@dataclass(frozen=True)
class Ran:
    action: str
    risk: Risk
    servers: tuple[Server, ...]
    results: tuple[RunResult, ...]  # sorted by host
    commands: Mapping[str, str] = field(default_factory=dict)  # host → the line really sent
    reply: Any = None  # what a query handler answered (e.g. a chat reply), None for host actions

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


@dataclass(frozen=True)
class NeedsConfirmation:
    action: str
    risk: Risk
    servers: tuple[Server, ...]
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class NeedsApproval:
    action: str
    risk: Risk
    servers: tuple[Server, ...]
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Refused:
    code: str  # permission_denied, not_found, validation_failed, rate_limited, …
    message_en: str
    message_fr: str
    problems: Sequence[tuple[str, str]] = ()
    error: DomainError | None = field(default=None, compare=False)  # for doors that raise it (HTTP status)

    @classmethod
    def of(cls, error: DomainError) -> Refused:
        return cls(error.code, error.message, error.message_fr, tuple(getattr(error, "problems", ()) or ()), error)

    def localized(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message_en


Outcome = Ran | NeedsConfirmation | NeedsApproval | Refused
