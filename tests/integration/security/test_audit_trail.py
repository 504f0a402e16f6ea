"""The audit trail on the real databases: concurrent writers never fork the chain, a tampered
or removed row is named by `chatops audit verify`, export, and the audit.log mirror."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from chatops_commander import bootstrap
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_chain import GENESIS_HASH
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.entrypoints.cli.main import app as cli
from chatops_commander.services import audit
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import Principal
from tests.conftest import TEST_SECRET

ADMIN = Principal.cli("pytest")
runner = CliRunner()


async def _append_one(container: bootstrap.Container, n: int) -> None:
    await audit.record_alone(container.uow, ADMIN, AuditAction.SERVER_UPDATED, AuditOutcome.SUCCESS,
                             target=f"web-{n:02d}", details={"n": n})


async def _rows(container: bootstrap.Container) -> list[dict[str, object]]:
    async with container.engine.connect() as conn:
        result = await conn.execute(text("SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq"))
        return [dict(r._mapping) for r in result]


class TestConcurrentWriters:
    async def test_fifty_concurrent_appends_from_separate_sessions_form_one_chain(
        self, container: bootstrap.Container,
    ) -> None:
        await asyncio.gather(*(_append_one(container, n) for n in range(50)))
        rows = await _rows(container)
        assert [r["seq"] for r in rows] == list(range(1, 51))
        assert rows[0]["prev_hash"] == GENESIS_HASH
        assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 50))
        assert len({r["prev_hash"] for r in rows}) == 50  # no two rows sealed on the same predecessor
        report = await audit.verify(container.uow, keys=container.security.audit_keys.all())
        assert report.ok and report.checked == 50

    async def test_each_committed_event_is_mirrored_once_to_audit_log(self, container: bootstrap.Container) -> None:
        await asyncio.gather(*(_append_one(container, n) for n in range(10)))
        lines = (container.settings.data_dir / "audit.log").read_text().splitlines()
        records = sorted((json.loads(line) for line in lines), key=lambda r: r["seq"])
        assert [r["seq"] for r in records] == list(range(1, 11))
        assert bootstrap.audit_log_head(container.settings) == (10, records[-1]["hash"])

    async def test_a_change_that_fails_writes_no_event(self, container: bootstrap.Container) -> None:
        await user_service.create_user(container.uow, container.security, ADMIN, email="bob@example.com",
                                       name="bob", role=Role.VIEWER, password="Violet-Tram-42-Harbour")
        with pytest.raises(Exception, match="already exists"):
            await user_service.create_user(container.uow, container.security, ADMIN, email="bob@example.com",
                                           name="bob", role=Role.VIEWER, password="Violet-Tram-42-Harbour")
        actions = [e.action for e in await audit.recent(container.uow)]
        assert actions == [AuditAction.USER_CREATED]


@pytest.fixture
def cli_env(container: bootstrap.Container, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("CHATOPS_"):
            monkeypatch.delenv(key)
    data_dir = container.settings.data_dir
    monkeypatch.setenv("CHATOPS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHATOPS_DATABASE_URL", container.settings.effective_database_url)
    monkeypatch.setenv("CHATOPS_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("CHATOPS_ENCRYPTION_KEY", TEST_SECRET)
    monkeypatch.setenv("COLUMNS", "200")
    return data_dir


async def _five_events(container: bootstrap.Container) -> None:
    for n in range(5):
        await _append_one(container, n)


def _verify() -> tuple[int, str]:
    result = runner.invoke(cli, ["audit", "verify"])
    return result.exit_code, result.output


class TestTamperEvidence:
    """`chatops audit verify` on SQLite and PostgreSQL."""

    async def test_an_intact_trail_verifies(self, container: bootstrap.Container, cli_env: Path) -> None:
        await _five_events(container)
        code, out = await asyncio.to_thread(_verify)
        assert code == 0, out
        assert "intact (5 events checked)" in out

    async def test_altering_one_row_in_the_database_is_named(self, container: bootstrap.Container,
                                                            cli_env: Path) -> None:
        await _five_events(container)
        async with container.engine.begin() as conn:
            row_id = (await conn.execute(text("SELECT id FROM audit_events WHERE seq = 3"))).scalar_one()
            details = '{"n": 999}'
            if container.engine.dialect.name == "postgresql":
                await conn.execute(text("UPDATE audit_events SET details = CAST(:d AS jsonb) WHERE seq = 3"),
                                   {"d": details})
            else:
                await conn.execute(text("UPDATE audit_events SET details = :d WHERE seq = 3"), {"d": details})
        code, out = await asyncio.to_thread(_verify)
        assert code == 1, out
        assert "Row 3" in out and str(uuid.UUID(str(row_id))) in out.replace("\n", "") and "altered" in out

    async def test_removing_a_row_is_named(self, container: bootstrap.Container, cli_env: Path) -> None:
        await _five_events(container)
        async with container.engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        code, out = await asyncio.to_thread(_verify)
        assert code == 1 and "Row 2 is missing" in out, out

    async def test_removing_the_last_rows_is_caught_by_the_audit_log(self, container: bootstrap.Container,
                                                                   cli_env: Path) -> None:
        await _five_events(container)
        async with container.engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_events WHERE seq >= 4"))
        code, out = await asyncio.to_thread(_verify)
        assert code == 1 and "Rows 4 to 5 are missing" in out, out

    async def test_the_french_message_names_the_row(self, container: bootstrap.Container, cli_env: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        await _five_events(container)
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
        async with container.engine.begin() as conn:
            await conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4"))
        code, out = await asyncio.to_thread(_verify)
        assert code == 1 and "La ligne 4" in out and "modifiée" in out, out


class TestExport:
    async def test_export_jsonl_and_csv_with_since(self, container: bootstrap.Container, cli_env: Path) -> None:
        await _five_events(container)
        result = await asyncio.to_thread(runner.invoke, cli, ["audit", "export", "--format", "jsonl"])
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["seq"] for r in records] == [1, 2, 3, 4, 5] and all(len(r["hash"]) == 64 for r in records)
        result = await asyncio.to_thread(runner.invoke, cli, ["audit", "export", "--format", "csv",
                                                              "--since", "2000-01-01"])
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["seq"] for r in rows] == ["1", "2", "3", "4", "5"] and json.loads(rows[0]["details"])["n"] == 0
        result = await asyncio.to_thread(runner.invoke, cli, ["audit", "export", "--since", "2999-01-01"])
        assert result.exit_code == 0 and result.stdout == ""

    async def test_a_bad_since_is_a_clear_error(self, container: bootstrap.Container, cli_env: Path) -> None:
        result = await asyncio.to_thread(runner.invoke, cli, ["audit", "export", "--since", "yesterday"])
        assert result.exit_code == 2 and "ISO-8601" in result.output
