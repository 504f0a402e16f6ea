"""The platform door's storage on SQL (SQLite / PostgreSQL): each call is its own short transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chatops_commander.adapters.db.tables import channel_policies as t_policies
from chatops_commander.adapters.db.tables import chat_button_nonces as t_nonces
from chatops_commander.adapters.db.tables import chat_identities as t_identities
from chatops_commander.adapters.db.tables import chat_link_requests as t_requests
from chatops_commander.adapters.db.tables import platform_cards as t_cards
from chatops_commander.adapters.db.tables import platform_conversations as t_conversations
from chatops_commander.adapters.db.types import utcnow
from chatops_commander.domain.risk import Risk
from chatops_commander.services.platforms.contract import (
    Button,
    ButtonStyle,
    Card,
    CardKind,
    ChatUser,
    Place,
    Platform,
)
from chatops_commander.services.platforms.records import ChannelPolicy, ChatIdentity, LinkRequest, PostedCard


def _identity(row: RowMapping) -> ChatIdentity:
    return ChatIdentity(Platform(row["platform"]), row["user_id"], row["account_id"], row["workspace"],
                        row["display_name"], row["linked_by"], row["linked_at"])


def _policy(row: RowMapping) -> ChannelPolicy:
    return ChannelPolicy(Platform(row["platform"]), row["channel_id"], tuple(row["actions"] or ()),
                         tuple(row["tags"] or ()), Risk(row["max_risk"]), row["updated_by"], row["updated_at"])


def _posted_card(row: RowMapping) -> PostedCard:
    platform = Platform(row["platform"])
    card = Card(CardKind(row["kind"]), row["title"], tuple((str(k), str(v)) for k, v in row["fields"] or ()),
                tuple(Button(b["label"], b["payload"], ButtonStyle(b.get("style", "default")))
                      for b in row["buttons"] or ()), row["expires_at"])
    place = Place(platform, row["workspace"], row["channel_id"], row["thread_id"], bool(row["direct"]))
    owner = ChatUser(platform, row["owner_id"], row["owner_name"]) if row["owner_id"] is not None else None
    return PostedCard(row["message_id"], card, place, owner, row["posted_at"])


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SqlPlatformStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _one(self, statement: Any) -> RowMapping | None:
        async with self._sessions() as session:
            row: RowMapping | None = (await session.execute(statement)).mappings().first()
            return row

    async def _all(self, statement: Any) -> list[RowMapping]:
        async with self._sessions() as session:
            return list((await session.execute(statement)).mappings().all())

    async def identity(self, platform: Platform, user_id: str) -> ChatIdentity | None:
        row = await self._one(select(t_identities).where(t_identities.c.platform == platform.value,
                                                         t_identities.c.user_id == user_id))
        return _identity(row) if row else None

    async def identities(self, platform: Platform | None = None) -> list[ChatIdentity]:
        query = select(t_identities).order_by(t_identities.c.platform, t_identities.c.user_id)
        if platform is not None:
            query = query.where(t_identities.c.platform == platform.value)
        return [_identity(r) for r in await self._all(query)]

    async def link(self, identity: ChatIdentity) -> None:
        async with self._sessions() as session:
            await session.execute(delete(t_identities).where(t_identities.c.platform == identity.platform.value,
                                                             t_identities.c.user_id == identity.user_id))
            await session.execute(insert(t_identities).values(
                platform=identity.platform.value, user_id=identity.user_id, account_id=identity.account_id,
                workspace=identity.workspace, display_name=identity.display_name[:255],
                linked_by=identity.linked_by, linked_at=identity.linked_at or utcnow()))
            await session.commit()

    async def unlink(self, platform: Platform, user_id: str) -> bool:
        async with self._sessions() as session:
            result = await session.execute(delete(t_identities).where(t_identities.c.platform == platform.value,
                                                                      t_identities.c.user_id == user_id))
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def policy(self, platform: Platform, channel_id: str) -> ChannelPolicy | None:
        row = await self._one(select(t_policies).where(t_policies.c.platform == platform.value,
                                                       t_policies.c.channel_id == channel_id))
        return _policy(row) if row else None

    async def policies(self) -> list[ChannelPolicy]:
        return [_policy(r) for r in await self._all(select(t_policies).order_by(t_policies.c.platform,
                                                                                 t_policies.c.channel_id))]

    async def set_policy(self, policy: ChannelPolicy) -> None:
        async with self._sessions() as session:
            await session.execute(delete(t_policies).where(t_policies.c.platform == policy.platform.value,
                                                           t_policies.c.channel_id == policy.channel_id))
            await session.execute(insert(t_policies).values(
                platform=policy.platform.value, channel_id=policy.channel_id, actions=list(policy.actions),
                tags=list(policy.tags), max_risk=policy.max_risk.value, updated_by=policy.updated_by,
                updated_at=policy.updated_at or utcnow()))
            await session.commit()

    async def remove_policy(self, platform: Platform, channel_id: str) -> bool:
        async with self._sessions() as session:
            result = await session.execute(delete(t_policies).where(t_policies.c.platform == platform.value,
                                                                    t_policies.c.channel_id == channel_id))
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def add_link_request(self, request: LinkRequest) -> None:
        async with self._sessions() as session:
            await session.execute(delete(t_requests).where(t_requests.c.expires_at < utcnow()))
            await session.execute(insert(t_requests).values(
                token_hash=request.token_hash, platform=request.platform.value, user_id=request.user_id,
                workspace=request.workspace, display_name=request.display_name[:255], expires_at=request.expires_at))
            await session.commit()

    async def link_request(self, token_hash: str) -> LinkRequest | None:
        row = await self._one(select(t_requests).where(t_requests.c.token_hash == token_hash))
        if row is None:
            return None
        return LinkRequest(row["token_hash"], Platform(row["platform"]), row["user_id"], row["workspace"],
                           row["display_name"], row["expires_at"], row["used_at"])

    async def use_link_request(self, token_hash: str, now: datetime) -> bool:
        async with self._sessions() as session:
            result = await session.execute(update(t_requests).where(
                t_requests.c.token_hash == token_hash, t_requests.c.used_at.is_(None)).values(used_at=now))
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        async with self._sessions() as session:
            await session.execute(delete(t_nonces).where(t_nonces.c.expires_at < now))
            try:
                await session.execute(insert(t_nonces).values(nonce=nonce[:64], expires_at=expires_at))
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def conversation(self, key: str) -> UUID | None:
        row = await self._one(select(t_conversations.c.conversation_id).where(
            t_conversations.c.key_hash == _key_hash(key)))
        return row["conversation_id"] if row else None

    async def remember_conversation(self, key: str, account_id: UUID, conversation_id: UUID) -> None:
        async with self._sessions() as session:
            await session.execute(delete(t_conversations).where(t_conversations.c.key_hash == _key_hash(key)))
            await session.execute(insert(t_conversations).values(key_hash=_key_hash(key), key=key,
                                                                 account_id=account_id,
                                                                 conversation_id=conversation_id))
            await session.commit()

    async def conversation_key_of(self, conversation_id: UUID) -> str | None:
        row = await self._one(select(t_conversations.c.key).where(
            t_conversations.c.conversation_id == conversation_id))
        return str(row["key"]) if row else None

    async def keep_card(self, posted: PostedCard, now: datetime) -> None:
        card, place = posted.card, posted.place
        async with self._sessions() as session:
            await session.execute(delete(t_cards).where(t_cards.c.kept_until < now))
            await session.execute(delete(t_cards).where(t_cards.c.platform == posted.platform.value,
                                                        t_cards.c.message_id == posted.message_id))
            await session.execute(insert(t_cards).values(
                platform=posted.platform.value, message_id=posted.message_id, kind=card.kind.value,
                title=card.title, fields=[list(f) for f in card.fields],
                buttons=[{"label": b.label, "payload": b.payload, "style": b.style.value} for b in card.buttons],
                expires_at=card.expires_at, workspace=place.workspace, channel_id=place.channel_id,
                thread_id=place.thread_id, direct=place.direct,
                owner_id=posted.owner.user_id if posted.owner else None,
                owner_name=posted.owner.display_name[:255] if posted.owner else "",
                posted_at=posted.posted_at or now, kept_until=posted.kept_until(now)))
            await session.commit()

    async def posted_card(self, platform: Platform, message_id: str, now: datetime) -> PostedCard | None:
        row = await self._one(select(t_cards).where(t_cards.c.platform == platform.value,
                                                    t_cards.c.message_id == message_id,
                                                    t_cards.c.kept_until >= now))
        return _posted_card(row) if row else None
