"""The embedded database's fast "already at head?" check agrees with Alembic, and never skips a needed upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatops_commander.adapters.db import migrate
from chatops_commander.adapters.db.schema_head import embedded_at_head, script_head, sqlite_path


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    assert script_head() == migrate.head_revision()


def test_a_database_is_at_head_only_after_its_upgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
    assert not embedded_at_head(url)  # no file yet
    migrate.upgrade(url, "0001")
    assert not embedded_at_head(url)  # behind
    migrate.upgrade(url)
    assert embedded_at_head(url)
    with sqlite3.connect(tmp_path / "chatops.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    assert not embedded_at_head(url)


def test_other_databases_are_left_to_alembic() -> None:
    assert sqlite_path("postgresql+asyncpg://u:p@db/chatops") is None
    assert sqlite_path("sqlite+aiosqlite:///:memory:") is None
    assert not embedded_at_head("postgresql+asyncpg://u:p@db/chatops")
    assert sqlite_path("sqlite+aiosqlite:////var/lib/chatops.db") == Path("/var/lib/chatops.db")
