"""`chatops history`: the command history (the seed's `commands` table), newest first.

The CLI acts as the administrator `cli:<os user>` (everyone's commands); `--user EMAIL` narrows it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from chatops_commander import bootstrap
from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.entrypoints.cli.common import cli_principal, console, fail, run_with_container, tr


def _as_json(c: CommandRecord) -> dict[str, Any]:
    return {"id": str(c.id), "executed_at": c.executed_at.isoformat() if c.executed_at else None, "actor": c.actor,
            "action": c.action, "server": c.server_name, "command": c.command, "outcome": c.outcome,
            "exit_code": c.exit_code, "risk_level": c.risk_level, "confirmed": c.confirmed,
            "duration_ms": c.duration_ms, "intent": dict(c.parsed_intent) if c.parsed_intent else None,
            "state": c.state, "door": c.door, "finished_at": c.finished_at.isoformat() if c.finished_at else None}


def history(
    server: Annotated[str | None, typer.Option(help="only this server (name)")] = None,
    action: Annotated[str | None, typer.Option(help="an action id or its prefix, e.g. service.")] = None,
    outcome: Annotated[str | None, typer.Option(help="ok | failed | refused | timed_out | unreachable …")] = None,
    user: Annotated[str | None, typer.Option(help="only this user's commands (e-mail)")] = None,
    since: Annotated[datetime | None, typer.Option(help="from this UTC time, e.g. 2026-11-23T02:00")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Executed and refused commands, one row per host, newest first."""

    from chatops_commander.services import commands as service

    async def main(c: bootstrap.Container) -> tuple[list[CommandRecord], int]:
        user_id = None
        if user is not None:
            async with c.uow() as uow:
                found = await uow.users.get_by_email(user)
            if found is None:
                fail(tr(f"no user {user!r}; see `chatops users list`", f"aucun utilisateur {user!r} ; voyez "
                                                                         f"`chatops users list`"))
            user_id = found.id if found else None
        when = since.replace(tzinfo=since.tzinfo or UTC) if since else None  # as the help says: UTC
        query = CommandQuery(user_id=user_id, server=server, action=action, outcome=outcome, since=when, limit=limit)
        return await service.list_commands(c.uow, cli_principal(), query)  # type: ignore[arg-type]

    items, total = run_with_container(main)
    if as_json:
        for item in items:
            print(json.dumps(_as_json(item), ensure_ascii=False))
        return
    table = Table(title=tr(f"{len(items)} of {total} commands", f"{len(items)} commandes sur {total}"))
    for column in ("when", "who", "action", "server", "outcome", "command"):
        table.add_column(column, overflow="fold")
    for item in items:
        style = "green" if item.outcome == "ok" else "red"
        table.add_row(item.executed_at.strftime("%Y-%m-%d %H:%M:%S") if item.executed_at else "", item.actor,
                      item.action or "", item.server_name or "", f"[{style}]{item.outcome or item.state}[/]",
                      item.command[:120])
    console.print(table)
