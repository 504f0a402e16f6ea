"""What the platform door keeps: linked chat identities, channel policies, one-time link requests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.services.platforms.contract import Place, Platform


@dataclass(frozen=True)
class ChatIdentity:
    """A chat user bound to a product account: their rights are the account's, never the chat's."""

    platform: Platform
    user_id: str
    account_id: UUID
    workspace: str = ""
    display_name: str = ""
    linked_by: str = ""  # "self" (the link flow) or the admin who imported it
    linked_at: datetime | None = None


@dataclass(frozen=True)
class ChannelPolicy:
    """What may be run from one channel: action patterns (`service.*`), server tags, the highest risk.

    Empty `actions` or `tags` means "no restriction of that kind"; a direct message has no policy
    unless one is set for its channel id. What is stored; the rule itself is the pure
    `domain.security.channel_policy.ChannelRestriction` (`restriction()`), which the action pipeline enforces."""

    platform: Platform
    channel_id: str
    actions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    max_risk: Risk = Risk.CRITICAL
    updated_by: str = ""
    updated_at: datetime | None = None

    def restriction(self) -> ChannelRestriction:
        return ChannelRestriction(self.platform.value, self.channel_id, self.actions, self.tags, self.max_risk)

    def allows_action(self, action: str) -> bool:
        return self.restriction().allows_action(action)

    def allows_risk(self, risk: Risk) -> bool:
        return self.restriction().allows_risk(risk)

    def allows_server(self, tags: Iterable[str]) -> bool:
        return self.restriction().allows_server(tags)


@dataclass(frozen=True)
class LinkRequest:
    """"Link my account", asked in the chat: a single-use, short-lived token (only its hash is stored)."""

    token_hash: str
    platform: Platform
    user_id: str
    workspace: str
    display_name: str
    expires_at: datetime
    used_at: datetime | None = None


def conversation_key(place: Place, account_id: UUID) -> str:
    """One conversation per (platform, workspace, channel, thread) and linked account."""
    return "|".join((place.platform.value, place.workspace, place.channel_id, place.thread_id or "-",
                     str(account_id)))
