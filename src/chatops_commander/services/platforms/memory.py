"""The platform store in memory: for the unit tests and the benchmark (same behaviour as the SQL one)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.records import ChannelPolicy, ChatIdentity, LinkRequest, PostedCard


class InMemoryPlatformStore:
    def __init__(self) -> None:
        self.links: dict[tuple[Platform, str], ChatIdentity] = {}
        self.channel_policies: dict[tuple[Platform, str], ChannelPolicy] = {}
        self.requests: dict[str, LinkRequest] = {}
        self.nonces: dict[str, datetime] = {}
        self.conversations: dict[str, tuple[UUID, UUID]] = {}
        self.cards: dict[tuple[Platform, str], tuple[PostedCard, datetime]] = {}  # with its keeping time

    async def identity(self, platform: Platform, user_id: str) -> ChatIdentity | None:
        return self.links.get((platform, user_id))

    async def identities(self, platform: Platform | None = None) -> list[ChatIdentity]:
        return sorted((i for i in self.links.values() if platform is None or i.platform is platform),
                      key=lambda i: (i.platform.value, i.user_id))

    async def link(self, identity: ChatIdentity) -> None:
        self.links[(identity.platform, identity.user_id)] = identity

    async def unlink(self, platform: Platform, user_id: str) -> bool:
        return self.links.pop((platform, user_id), None) is not None

    async def policy(self, platform: Platform, channel_id: str) -> ChannelPolicy | None:
        return self.channel_policies.get((platform, channel_id))

    async def policies(self) -> list[ChannelPolicy]:
        return sorted(self.channel_policies.values(), key=lambda p: (p.platform.value, p.channel_id))

    async def set_policy(self, policy: ChannelPolicy) -> None:
        self.channel_policies[(policy.platform, policy.channel_id)] = policy

    async def remove_policy(self, platform: Platform, channel_id: str) -> bool:
        return self.channel_policies.pop((platform, channel_id), None) is not None

    async def add_link_request(self, request: LinkRequest) -> None:
        self.requests[request.token_hash] = request

    async def link_request(self, token_hash: str) -> LinkRequest | None:
        return self.requests.get(token_hash)

    async def use_link_request(self, token_hash: str, now: datetime) -> bool:
        req = self.requests.get(token_hash)
        if req is None or req.used_at is not None:
            return False
        self.requests[token_hash] = dataclasses.replace(req, used_at=now)
        return True

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        for old in [n for n, until in self.nonces.items() if until < now]:
            del self.nonces[old]
        if nonce in self.nonces:
            return False
        self.nonces[nonce] = expires_at
        return True

    async def conversation(self, key: str) -> UUID | None:
        found = self.conversations.get(key)
        return found[1] if found else None

    async def remember_conversation(self, key: str, account_id: UUID, conversation_id: UUID) -> None:
        self.conversations[key] = (account_id, conversation_id)

    async def conversation_key_of(self, conversation_id: UUID) -> str | None:
        return next((k for k, (_, c) in self.conversations.items() if c == conversation_id), None)

    async def keep_card(self, posted: PostedCard, now: datetime) -> None:
        for old in [key for key, (_, until) in self.cards.items() if until < now]:
            del self.cards[old]
        if posted.posted_at is None:
            posted = dataclasses.replace(posted, posted_at=now)
        self.cards[(posted.platform, posted.message_id)] = (posted, posted.kept_until(now))

    async def posted_card(self, platform: Platform, message_id: str, now: datetime) -> PostedCard | None:
        found = self.cards.get((platform, message_id))
        return found[0] if found is not None and found[1] >= now else None
