"""`chatops alerts list|resolve` and `chatops history` on a real data directory (SQLite in a temporary ./var)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from chatops_commander import bootstrap
from chatops_commander.config import load_settings
from chatops_commander.domain.chat.records import CommandRecord
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.rules import Severity
from tests.e2e.cli import chatops


def seed() -> list[str]:
    settings = bootstrap.prepare_database(load_settings())

    async def main() -> list[str]:
        c = await bootstrap.build(settings)
        try:
            async with c.uow() as uow:
                local = await uow.servers.get_by_name("localhost")
                assert local is not None
                ids = []
                for i, sev in enumerate((Severity.CRITICAL, Severity.WARNING)):
                    a = await uow.alerts.add(Alert(
                        type=f"rule{i}", severity=sev, message=f"Disk {i} is full",
                        message_fr=f"Le disque {i} est plein", fingerprint=f"rules:x:{i}", server_id=local.id,
                        created_at=datetime(2026, 11, 23, 10, i, tzinfo=UTC)))
                    ids.append(str(a.id))
                await uow.commit()
                return ids
        finally:
            await c.aclose()

    return asyncio.run(main())


def test_list_filter_resolve(data_dir: Path) -> None:
    code, out = chatops("alerts", "list")
    assert code == 0 and "No alert matches" in out
    first, second = seed()
    code, out = chatops("alerts", "list")
    assert code == 0 and "Disk 0 is full" in out and "Disk 1 is full" in out and "localhost" in out
    code, out = chatops("alerts", "list", "--severity", "critical", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in rows] == [first] and rows[0]["server"] == "localhost"
    code, out = chatops("alerts", "list", lang="fr_FR.UTF-8")
    assert "Le disque 1 est plein" in out and "ouverte" in out

    code, out = chatops("alerts", "resolve", first[:8])
    assert code == 0 and "resolved" in out
    code, out = chatops("alerts", "resolve", first, lang="fr_FR.UTF-8")
    assert code == 2 and "déjà résolue" in out
    code, out = chatops("alerts", "list", "--status", "resolved", "--json")
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["id"] == first and row["resolved_by"].startswith("cli:")
    code, out = chatops("alerts", "list", "--server", "nope")
    assert code == 2 and "no server named 'nope'" in out
    code, out = chatops("alerts", "resolve", "ffffffff")
    assert code == 2 and "No single alert" in out and "Traceback" not in out
    assert second


def test_history_lists_commands_newest_first_with_filters(data_dir: Path) -> None:
    settings = bootstrap.prepare_database(load_settings())

    async def main() -> None:
        c = await bootstrap.build(settings)
        try:
            async with c.uow() as uow:
                for minute, (action, outcome) in enumerate([("service.restart", "ok"), ("server.disk", "failed"),
                                                            ("service.stop", "refused:replayed")]):
                    await uow.commands.add(CommandRecord(
                        command=f"{action} localhost", action=action, actor="ops@example.com",
                        server_name="localhost", outcome=outcome, risk_level="low",
                        executed_at=datetime(2026, 11, 23, 3, minute, tzinfo=UTC)))
                await uow.commit()
        finally:
            await c.aclose()

    asyncio.run(main())
    code, out = chatops("history", "--json")
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["action"] for r in rows] == ["service.stop", "server.disk", "service.restart"]
    code, out = chatops("history", "--action", "service.", "--outcome", "refused", "--json")
    assert [json.loads(line)["outcome"] for line in out.splitlines()] == ["refused:replayed"]
    code, out = chatops("history", "--since", "2026-11-23T03:01", "--json")  # read as UTC
    assert [json.loads(line)["action"] for line in out.splitlines()] == ["service.stop", "server.disk"]
    code, out = chatops("history")
    assert code == 0 and "3 of 3 commands" in out and "server.disk" in out
    code, out = chatops("history", "--user", "nobody@example.com", lang="fr_FR.UTF-8")
    assert code != 0 and "aucun utilisateur" in out
