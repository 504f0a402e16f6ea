"""Migration 0011 (whether a person chose their account's language) on SQLite and PostgreSQL: accounts already in
another language than the default count as chosen; down and up again keep the accounts."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import text

from chatops_commander.adapters.db import migrate
from chatops_commander.adapters.db.engine import create_engine

INSERT = ("INSERT INTO users (id, email, name, role, password_hash, is_active, language, theme, totp_enabled, "
          "created_at, updated_at) VALUES ('{id}', '{email}', 'x', 'viewer', '', true, '{lang}', 'dark', false, "
          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


async def _sql(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement))
            return [tuple(r) for r in result.fetchall()] if result.returns_rows else []
    finally:
        await engine.dispose()


def test_accounts_in_french_count_as_chosen_and_the_default_english_does_not(database_url: str) -> None:
    command.downgrade(migrate.alembic_config(database_url), "0010")
    try:
        for n, (email, lang) in enumerate((("fr@example.com", "fr"), ("en@example.com", "en")), start=1):
            asyncio.run(_sql(database_url, INSERT.format(id=f"{n}{'0' * 31}", email=email, lang=lang)))
    finally:
        migrate.upgrade(database_url)
    assert migrate.current_revision(database_url) == migrate.head_revision()
    rows = dict(asyncio.run(_sql(database_url, "SELECT email, language_chosen FROM users "
                                 "WHERE email LIKE '%@example.com'")))
    assert bool(rows["fr@example.com"]) is True and bool(rows["en@example.com"]) is False
