"""The in-memory card store keeps, replaces and forgets posted cards like the SQL one."""

from __future__ import annotations

from chatops_commander.services.platforms.memory import InMemoryPlatformStore
from tests.unit.platforms.card_store_contract import check_card_store


async def test_the_memory_store_keeps_cards_by_platform_and_message_and_forgets_them_after_their_expiry() -> None:
    await check_card_store(InMemoryPlatformStore())
