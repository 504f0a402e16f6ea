"""`chatops approvals list|approve|reject`: approvers decide 4-eyes requests from the terminal, through the same
service as the web UI and the REST API; the decision and the run record the door they came from (`cli`)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from chatops_commander import bootstrap
from chatops_commander.config import load_settings
from chatops_commander.domain.chat.approvals import Approval
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.authorization import ServerPermission
from tests.e2e.cli import chatops

OPERATOR = "op@example.com"


def _requested(*requests: tuple[str, dict[str, str]]) -> list[str]:
    """An operator's requests waiting for an admin (stored as the chat stores them), in their conversation."""

    async def main() -> list[str]:
        container = await bootstrap.build(bootstrap.prepare_database(load_settings()))
        try:
            async with container.uow() as uow:
                op = await uow.users.get_by_email(OPERATOR)
                assert op is not None and op.id is not None
                localhost = await uow.servers.get_by_name("localhost")
                assert localhost is not None and localhost.id is not None
                await uow.permissions.put(op.id, localhost.id, ServerPermission(can_read=True, can_execute=True))
                conv = await uow.conversations.add(Conversation(op.id, "ops"))
                ids = []
                for action, params in requests:
                    approval = Approval.request(requester_id=str(op.id), requester=OPERATOR,
                                                conversation_id=str(conv.id), action=action, targets=["localhost"],
                                                service=None, parameters=params, risk=Risk.MEDIUM,
                                                now=datetime.now(UTC), text=f"{action} on localhost")
                    await uow.approvals.add(approval)
                    ids.append(approval.id)
                await uow.commit()
            return ids
        finally:
            await container.aclose()

    return asyncio.run(main())


def _audit_details(action: str) -> list[dict[str, object]]:
    async def main() -> list[dict[str, object]]:
        container = await bootstrap.build(bootstrap.prepare_database(load_settings()))
        try:
            async with container.uow() as uow:
                events = await uow.audit.list()
            return [dict(e.details or {}) for e in events if e.action.value == action]
        finally:
            await container.aclose()

    return asyncio.run(main())


def test_an_admin_lists_approves_and_rejects_from_the_cli_and_the_door_is_recorded(data_dir: Path) -> None:
    code, out = chatops("users", "add", OPERATOR, "--role", "operator", "--password-stdin",
                        stdin="Quiet-Harbor-Lamp-2026\n")
    assert code == 0, out
    disk, memory = _requested(("server.disk", {}), ("server.memory", {}))

    code, out = chatops("approvals", "list", "--json")
    assert code == 0, out
    pending = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert {p["id"] for p in pending} == {disk, memory}
    assert all(p["state"] == "requested" and p["requester"] == OPERATOR and p["expires_at"] for p in pending)
    code, out = chatops("approvals", "list")
    assert code == 0 and disk[:8] in out and "server.disk" in out and OPERATOR in out, out

    code, out = chatops("approvals", "approve", disk[:8])  # the first characters, as cards show them
    assert code == 0, out
    assert f"approved {disk[:8]}" in out and "approved: " in out, out  # the reply posted to the requester

    code, out = chatops("history", "--json", "--action", "server.disk")
    assert code == 0, out
    [row] = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert (row["door"], row["outcome"], row["actor"], row["server"]) == ("cli", "ok", OPERATOR, "localhost")
    assert row["intent"]["approval_id"] == disk and row["intent"]["approved_by"].startswith("cli:")
    [approved] = _audit_details("APPROVAL_APPROVED")
    assert approved["door"] == "cli" and approved["approval_id"] == disk

    code, out = chatops("approvals", "reject", memory)
    assert code == 2 and "needs a reason" in out, out
    code, out = chatops("approvals", "reject", memory, lang="fr_FR.UTF-8")
    assert code == 2 and "un rejet demande un motif" in out, out
    code, out = chatops("approvals", "reject", memory, "--reason", "not during the sale")
    assert code == 0 and f"rejected {memory[:8]}" in out and "not during the sale" in out, out
    [rejected] = _audit_details("APPROVAL_REJECTED")
    assert rejected["door"] == "cli" and rejected["reason"] == "not during the sale"
    code, out = chatops("history", "--json", "--action", "server.memory")
    assert code == 0 and not [line for line in out.splitlines() if line.startswith("{")], out  # nothing ran

    code, out = chatops("approvals", "list", "--json")
    assert code == 0 and not [line for line in out.splitlines() if line.startswith("{")], out
    code, out = chatops("approvals", "list", "--all", "--json")
    states = {json.loads(line)["id"]: json.loads(line)["state"] for line in out.splitlines() if line.startswith("{")}
    assert states == {disk: "approved", memory: "rejected"}

    code, out = chatops("approvals", "approve", disk)
    assert code == 2 and "already approved" in out, out  # decided once
    code, out = chatops("approvals", "approve", "ffffffff")
    assert code == 2 and "no approval request 'ffffffff'" in out, out
    code, out = chatops("approvals", "approve", "ffffffff", lang="fr_FR.UTF-8")
    assert code == 2 and "aucune demande d'approbation" in out, out
