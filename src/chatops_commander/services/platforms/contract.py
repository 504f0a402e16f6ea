"""What a chat-platform adapter and the platform door exchange, as plain data.

An adapter (Slack, Mattermost, Teams, Matrix) only translates: a platform event becomes an
`Inbound` message or a `ButtonPress`; the door (`PlatformDoor`) links the chat user to a product
account, applies the channel's policy, runs the turn through the chat service and the action
pipeline, and answers with `Outbound` messages that the adapter renders (Block Kit, interactive
attachments, Adaptive Cards, Matrix HTML + reactions). Nothing in here knows a platform's format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Platform(StrEnum):
    SLACK = "slack"
    MATTERMOST = "mattermost"
    TEAMS = "teams"
    MATRIX = "matrix"


@dataclass(frozen=True)
class ChatUser:
    """Who wrote, as the platform knows them (never trusted for rights: the linked account is)."""

    platform: Platform
    user_id: str  # Slack "U123", Mattermost user id, Teams AAD object id, Matrix "@alice:example.org"
    display_name: str = ""


@dataclass(frozen=True)
class Place:
    """Where a message was written; the conversation is kept per (workspace, channel, thread)."""

    platform: Platform
    workspace: str  # Slack team id, Mattermost team id, Teams tenant id, Matrix homeserver name
    channel_id: str  # channel / room / conversation id
    thread_id: str | None = None  # the thread the bot answers in (Slack thread_ts, Mattermost root_id…)
    direct: bool = False  # a direct message with the bot


@dataclass(frozen=True)
class Inbound:
    place: Place
    user: ChatUser
    text: str  # the text with the bot's mention removed
    message_id: str = ""


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    DANGER = "danger"
    DEFAULT = "default"


@dataclass(frozen=True)
class Button:
    label: str  # in the conversation's language
    payload: str  # opaque to adapters: issued and verified by the door (bound to the card and its action hash)
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class ButtonPress:
    """A button clicked, or (Matrix) a reaction / reply mapped by the adapter to one of the card's buttons."""

    place: Place
    user: ChatUser
    payload: str
    message_id: str = ""  # the card message the press belongs to, when the platform says


class CardKind(StrEnum):
    CONFIRM = "confirm"  # confirm / cancel a risky action
    APPROVE = "approve"  # approve / reject a 4-eyes request
    CHOOSE = "choose"  # pick one of numbered options


@dataclass(frozen=True)
class Card:
    kind: CardKind
    title: str
    fields: tuple[tuple[str, str], ...] = ()  # (label, value): action, hosts, environment, risk, requester…
    buttons: tuple[Button, ...] = ()
    expires_at: datetime | None = None


@dataclass(frozen=True)
class HostOutput:
    host: str
    text: str  # shown in a monospace block; adapters cut it to the platform's limit and say so
    ok: bool = True


@dataclass(frozen=True)
class Outbound:
    place: Place
    text: str  # light markdown: **bold**, `code`, lists; adapters convert
    lang: str = "en"
    outputs: tuple[HostOutput, ...] = ()
    card: Card | None = None
    mention: ChatUser | None = None  # e.g. the approver or the requester to notify
    to: ChatUser | None = None  # only this user sees it (Slack ephemeral, Mattermost ephemeral post; else a DM)


class PlatformDoor(Protocol):
    """Implemented once by the platform core; every adapter calls it."""

    async def on_message(self, message: Inbound) -> Sequence[Outbound]: ...

    async def on_button(self, press: ButtonPress) -> Sequence[Outbound]: ...


class PlatformSender(Protocol):
    """Implemented by each adapter: post a message (returns the platform's message id)."""

    async def send(self, message: Outbound) -> str: ...


@dataclass(frozen=True)
class Delivery:
    """Messages the door wants posted outside the current exchange (e.g. to the approvers' channel)."""

    messages: tuple[Outbound, ...] = field(default_factory=tuple)
