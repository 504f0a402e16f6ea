"""`GET /api/v1/conversations/{id}/commands` and `…/commands/{command_id}/output`: the stored outputs the chat's
output blocks show and page through ("show more"), for the conversation's owner, on servers they may still read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from chatops_commander import bootstrap
from chatops_commander.domain.chat.records import CommandRecord, Conversation
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import Principal

CLI = Principal.cli("pytest")
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
BIG = "".join(f"line {i:05d} of a long output\n" for i in range(1000))  # 28,000 characters


async def test_the_owner_pages_through_a_stored_output_and_nobody_else_reads_it(
    container: bootstrap.Container, as_role: Callable[..., Any],
) -> None:
    op, op_client = await as_role(Role.OPERATOR, "op@example.com")
    _, other_client = await as_role(Role.OPERATOR, "other@example.com")
    seen = await server_service.add_server(container.uow, CLI, Server(
        name="seen-01", hostname="seen-01.example.com", ip_address="10.0.0.61", ssh_user="deploy"))
    hidden = await server_service.add_server(container.uow, CLI, Server(
        name="hidden-01", hostname="hidden-01.example.com", ip_address="10.0.0.62", ssh_user="deploy"))
    assert op.id is not None
    await user_service.set_permission(container.uow, CLI, op.id, "seen-01", ServerPermission(can_read=True))
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(op.id))
        placed = []
        for minute, server, output in ((0, seen, BIG), (1, hidden, "secret"), (2, seen, None)):
            placed.append(await uow.commands.add(CommandRecord(
                command="journalctl -n 1000", action="server.logs", actor=op.email, user_id=op.id,
                server_id=server.id, server_name=server.name, conversation_id=conv.id, output=output, exit_code=0,
                outcome="ok", executed_at=T0 + timedelta(minutes=minute))))
        await uow.commit()
    base = f"/api/v1/conversations/{conv.id}/commands"

    rows = (await op_client.get(base)).json()
    assert [(r["server"], r["output_chars"]) for r in rows] == [("seen-01", 0), ("seen-01", len(BIG))]
    assert rows[1]["id"] == str(placed[0].id) and rows[1]["action"] == "server.logs"

    text, offset, windows = "", 0, 0
    while offset is not None:
        part = (await op_client.get(f"{base}/{placed[0].id}/output", params={"offset": offset, "limit": 10_000}))
        assert part.status_code == 200, part.text
        body = part.json()
        assert body["total"] == len(BIG) and body["offset"] == offset
        text += body["text"]
        offset = body["next_offset"]
        windows += 1
    assert text == BIG and windows == 3

    # the hidden server's output, another user's read, an unknown command: all "not found", never the text
    hidden_read = await op_client.get(f"{base}/{placed[1].id}/output")
    assert hidden_read.status_code == 404 and "secret" not in hidden_read.text
    assert (await other_client.get(base)).status_code == 404
    assert (await other_client.get(f"{base}/{placed[0].id}/output")).status_code == 404
    unknown = await op_client.get(f"{base}/{conv.id}/output")
    assert unknown.status_code == 404 and "No such command" in unknown.text
    too_big = await op_client.get(f"{base}/{placed[0].id}/output", params={"limit": 1_000_000})
    assert too_big.status_code == 422
