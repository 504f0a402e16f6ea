"""The command history (the seed's `commands` table): every executed or refused command, one row per host.

Admins read everyone's; other users read their own (the filter on the user is forced, not offered).
"""

from __future__ import annotations

import dataclasses
from uuid import UUID

from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.domain.errors import NotFound
from chatops_commander.domain.roles import Role
from chatops_commander.services import access
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory
from chatops_commander.services.principal import Principal


async def list_commands(uow_factory: ChatUnitOfWorkFactory, principal: Principal,
                        query: CommandQuery) -> tuple[list[CommandRecord], int]:
    await access.require(uow_factory, principal, Role.VIEWER, action="commands.list")
    if principal.role is not Role.ADMIN:
        query = dataclasses.replace(query, user_id=principal.user_id)
        if principal.user_id is None:
            return [], 0
    async with uow_factory() as uow:
        return await uow.commands.query(query)


# --- a conversation's stored outputs (the chat's output blocks and their "show more") ---------------------------

OUTPUT_PAGE_MAX = 65_536  # characters of stored output per read


@dataclasses.dataclass(frozen=True)
class OutputSlice:
    """A window of one command's stored output: `text` is `output[offset:offset + len(text)]`."""

    command: CommandRecord
    offset: int
    text: str
    total: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.text)
        return end if end < self.total else None


async def _readable_rows(uow_factory: ChatUnitOfWorkFactory, principal: Principal, conversation_id: UUID,
                         limit: int) -> list[CommandRecord]:
    """The commands of one of the principal's own conversations, on servers they may still read."""
    await access.require(uow_factory, principal, Role.VIEWER, action="commands.list")
    async with uow_factory() as uow:
        conv = await uow.conversations.get(conversation_id)
        if conv is None or principal.user_id is None or conv.user_id != principal.user_id:
            raise NotFound("No such conversation.", message_fr="Conversation introuvable.")
        rows = await uow.commands.list(conversation_id=conversation_id, limit=limit)
        readable = await access.readable_server_ids(uow, principal)
    return [r for r in rows if readable is None or r.server_id is None or r.server_id in readable]


async def conversation_commands(uow_factory: ChatUnitOfWorkFactory, principal: Principal, conversation_id: UUID,
                                *, limit: int = 200) -> list[CommandRecord]:
    """The commands run in one of the principal's conversations, newest first (only the owner reads them, and
    only on the servers they may read now)."""
    return await _readable_rows(uow_factory, principal, conversation_id, limit)


async def command_output(uow_factory: ChatUnitOfWorkFactory, principal: Principal, conversation_id: UUID,
                         command_id: UUID, *, offset: int = 0, limit: int = OUTPUT_PAGE_MAX) -> OutputSlice:
    """A window of the stored output of one command of that conversation (same rule as above)."""
    rows = await _readable_rows(uow_factory, principal, conversation_id, 1000)
    row = next((r for r in rows if r.id == command_id), None)
    if row is None:
        raise NotFound("No such command in this conversation.",
                       message_fr="Cette commande n'existe pas dans cette conversation.")
    output = row.output or ""
    start = max(0, min(offset, len(output)))
    return OutputSlice(row, start, output[start:start + max(1, min(limit, OUTPUT_PAGE_MAX))], len(output))
