"""The command history (the seed's `commands` table): every executed or refused command, one row per host.

Admins read everyone's; other users read their own (the filter on the user is forced, not offered).
"""

from __future__ import annotations

import dataclasses

from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
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
