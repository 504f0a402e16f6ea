"""What the platform door keeps: linked chat identities, channel policies, one-time link requests, and the cards a
bot posted (bound to their message, so that an answer on one still counts after the bot restarts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.services.platforms.contract import Card, CardKind, ChatUser, Place, Platform


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


CARD_GRACE = timedelta(hours=1)  # an answer just after a card expired still reaches the door, which says so
CARD_WITHOUT_EXPIRY = timedelta(days=1)  # how long a card without an expiry is kept


@dataclass(frozen=True)
class PostedCard:
    """A card a bot posted, bound to the message that shows it (Matrix: a reaction or a reply on that message
    answers it). A confirm or choose card belongs to `owner`; an approval card (owner None) is for anyone."""

    message_id: str
    card: Card
    place: Place
    owner: ChatUser | None = None
    posted_at: datetime | None = None

    @property
    def platform(self) -> Platform:
        return self.place.platform

    def answerable_by(self, user_id: str) -> bool:
        return self.card.kind is CardKind.APPROVE or self.owner is None or self.owner.user_id == user_id

    def kept_until(self, now: datetime) -> datetime:
        """When the store forgets it: its expiry plus `CARD_GRACE` (a day after posting when it has none)."""
        if self.card.expires_at is not None:
            return self.card.expires_at + CARD_GRACE
        return (self.posted_at or now) + CARD_WITHOUT_EXPIRY


def conversation_key(place: Place, account_id: UUID) -> str:
    """One conversation per (platform, workspace, channel, thread) and linked account."""
    return "|".join((place.platform.value, place.workspace, place.channel_id, place.thread_id or "-",
                     str(account_id)))
