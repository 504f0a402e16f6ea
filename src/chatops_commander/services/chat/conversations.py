"""Conversations and their messages: owned by one user, created, listed, deleted; a turn's lines stored and
published (the user's line as it arrives, the assistant's reply with its metadata and the engine's state)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from chatops_commander.domain.chat.events import MessageEvent
from chatops_commander.domain.chat.records import ChatMessage, Conversation, title_from
from chatops_commander.domain.errors import NotFound, PermissionDenied
from chatops_commander.services.chat.ports import ChatUnitOfWork, ChatUnitOfWorkFactory
from chatops_commander.services.chat.turn import Turn, TurnReply, TurnTools
from chatops_commander.services.principal import Principal


def now_iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def user_id_of(principal: Principal) -> UUID:
    if principal.user_id is None:
        raise PermissionDenied("Conversations belong to users: log in as a user.",
                               message_fr="Les conversations appartiennent à des utilisateurs : connectez-vous.")
    return principal.user_id


async def owned(uow: ChatUnitOfWork, principal: Principal, conversation_id: UUID) -> Conversation:
    conv = await uow.conversations.get(conversation_id)
    if conv is None or conv.user_id != principal.user_id:
        raise NotFound("No such conversation.", message_fr="Conversation introuvable.")
    return conv


class Conversations:
    def __init__(self, uow: ChatUnitOfWorkFactory, tools: TurnTools) -> None:
        self.uow, self.tools = uow, tools

    async def create(self, principal: Principal, title: str | None = None) -> Conversation:
        async with self.uow() as uow:
            conv = await uow.conversations.add(Conversation(user_id_of(principal),
                                                            title_from(title) if title else None))
            await uow.commit()
        return conv

    async def list(self, principal: Principal, *, offset: int = 0,
                   limit: int = 50) -> builtins.list[Conversation]:
        async with self.uow() as uow:
            return await uow.conversations.list_for_user(user_id_of(principal), offset=offset, limit=limit)

    async def get(self, principal: Principal, conversation_id: UUID) -> Conversation:
        async with self.uow() as uow:
            return await owned(uow, principal, conversation_id)

    async def delete(self, principal: Principal, conversation_id: UUID) -> None:
        async with self.uow() as uow:
            await owned(uow, principal, conversation_id)
            await uow.conversations.remove(conversation_id)
            await uow.commit()

    async def messages(self, principal: Principal, conversation_id: UUID, *,
                       limit: int = 500) -> builtins.list[ChatMessage]:
        async with self.uow() as uow:
            await owned(uow, principal, conversation_id)
            return await uow.messages.list(conversation_id, limit=limit)

    async def user_line(self, principal: Principal, conversation_id: UUID, text: str, *,
                        title: bool = True) -> tuple[Conversation, ChatMessage]:
        """Store what the user said (the conversation takes its first line as title)."""
        async with self.uow() as uow:
            conv = await owned(uow, principal, conversation_id)
            msg = await uow.messages.add(ChatMessage(conversation_id, "user", text))
            if title and not conv.title:
                conv = replace(conv, title=title_from(text))
                await uow.conversations.save(conv)
            await uow.commit()
        return conv, msg

    async def reply(self, turn: Turn, text: str, meta: Mapping[str, Any]) -> TurnReply:
        """Store the assistant's reply and the turn's state, publish it, and close the turn."""
        cid = turn.conversation.id or UUID(int=0)
        async with self.uow() as uow:
            msg = await uow.messages.add(ChatMessage(cid, "assistant", text, {"lang": turn.lang, **meta}))
            conv = await uow.conversations.get(cid)
            if conv is not None:
                await uow.conversations.save(replace(conv, context=turn.state))
            await uow.commit()
        event = MessageEvent(turn.cid, message_id=str(msg.id), role="assistant", content=text, lang=turn.lang,
                             metadata=msg.metadata, created_at=now_iso(msg.created_at))
        self.tools.emit(turn, event)
        return TurnReply(turn.cid, event, turn.events)
