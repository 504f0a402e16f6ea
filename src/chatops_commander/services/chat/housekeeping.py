"""Periodic chores of the conversation engine (run by the process that holds the collector lock)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory
from chatops_commander.services.ports import Clock

log = structlog.get_logger("chatops.chat")


def confirmation_sweep(uow_factory: ChatUnitOfWorkFactory, clock: Clock) -> Callable[[], Awaitable[int]]:
    """A chore that marks pending confirmations past their five minutes as `expired`, so that the
    database says what the cards say (an expired card is refused on use either way)."""

    async def sweep() -> int:
        async with uow_factory() as uow:
            expired = await uow.confirmations.expire_stale(clock.now())
            await uow.commit()
        if expired:
            log.info("confirmations_expired", count=expired)
        return expired

    return sweep
