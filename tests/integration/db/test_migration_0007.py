"""Migration 0007 on SQLite: existing `commands` rows get the state their outcome says; the deployments' state
check accepts `interrupted`; down and up again keeps the schema usable."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from chatops_commander.adapters.db import migrate


def _insert_commands(engine: sa.Engine, outcomes: list[str]) -> None:
    with engine.begin() as conn:
        for outcome in outcomes:
            conn.execute(sa.text("INSERT INTO commands (id, command, outcome, confirmed, executed_at) "
                                 "VALUES (:id, 'x', :outcome, 0, '2026-11-23 09:00:00')"),
                         {"id": uuid.uuid4().hex, "outcome": outcome})


def test_existing_rows_get_their_state_and_interrupted_deployments_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "chatops.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = sa.create_engine(f"sqlite:///{path}")
    migrate.upgrade(url, "0006")
    _insert_commands(engine, ["ok", "failed", "timed_out", "unreachable", "refused:replayed", "refused"])
    migrate.upgrade(url)
    with engine.connect() as conn:
        states = dict(conn.execute(sa.text("SELECT outcome, state FROM commands")).all())
    assert states == {"ok": "succeeded", "failed": "failed", "timed_out": "timed_out", "unreachable": "failed",
                      "refused:replayed": "refused", "refused": "refused"}

    def deployment(state: str) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO deployments (id, application, version, kind, state, hosts, "
                                 "requested_by, started_at) VALUES (:id, 'shop', 'v1', 'deploy', :state, '[]', "
                                 "'a@example.com', '2026-11-23 09:00:00')"), {"id": uuid.uuid4().hex, "state": state})

    deployment("interrupted")
    with pytest.raises(sa.exc.IntegrityError):
        deployment("exploded")

    command.downgrade(migrate.alembic_config(url), "0006")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT state FROM deployments")).scalars().all() == ["failed"]
    migrate.upgrade(url)
    deployment("interrupted")
    engine.dispose()
