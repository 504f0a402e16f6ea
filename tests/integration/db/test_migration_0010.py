"""Migration 0010 (the cards a bot posted) on SQLite and PostgreSQL: down removes `platform_cards` and leaves the
rest usable, up again brings it back, and the store keeps a card in it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alembic import command
from sqlalchemy import inspect

from chatops_commander.adapters.db import migrate
from chatops_commander.adapters.db.engine import create_engine, session_factory
from chatops_commander.adapters.db.platform_repositories import SqlPlatformStore
from chatops_commander.services.platforms.contract import Platform
from tests.unit.platforms.card_store_contract import APPROVAL, NOW


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        store = SqlPlatformStore(session_factory(engine))
        await store.keep_card(APPROVAL, NOW)
        assert await store.posted_card(Platform.MATRIX, APPROVAL.message_id, NOW + timedelta(minutes=1)) == APPROVAL
    finally:
        await engine.dispose()


def test_platform_cards_go_with_the_downgrade_to_0009_and_come_back_with_the_upgrade(database_url: str) -> None:
    assert migrate.current_revision(database_url) == migrate.head_revision()
    assert "platform_cards" in asyncio.run(_tables(database_url))
    command.downgrade(migrate.alembic_config(database_url), "0009")
    try:
        tables = asyncio.run(_tables(database_url))
        assert "platform_cards" not in tables and "chat_button_nonces" in tables
        assert migrate.current_revision(database_url) == "0009"
    finally:
        migrate.upgrade(database_url)
    assert migrate.current_revision(database_url) == migrate.head_revision()
    asyncio.run(_round_trip(database_url))
