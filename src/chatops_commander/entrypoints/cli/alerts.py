"""`chatops alerts list|resolve`: the alerts of the monitoring rules and of Alertmanager.

The CLI acts as the administrator `cli:<os user>` on the local data directory (Principal.cli); who resolved
an alert is kept with it (`resolved_by`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from chatops_commander import bootstrap
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.entrypoints.cli.common import cli_principal, console, fail, language, run_with_container, tr
from chatops_commander.services.ports_monitoring import AlertQuery

app = typer.Typer(help="Alerts: list them, resolve one.", no_args_is_help=True)
SEVERITY_STYLE = {Severity.CRITICAL: "red", Severity.WARNING: "dark_orange", Severity.INFO: "cyan"}


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


def _as_json(a: Alert, names: dict[Any, str]) -> dict[str, Any]:
    return {"id": str(a.id), "server": names.get(a.server_id), "server_id": str(a.server_id) if a.server_id else None,
            "type": a.type, "severity": a.severity.value, "message": a.message, "message_fr": a.message_fr,
            "source": a.source.value, "resolved": a.resolved, "resolved_by": a.resolved_by, "value": a.value,
            "created_at": a.created_at.isoformat() if a.created_at else None,
            "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None}


@app.command("list")
def list_(
    status: Annotated[Status, typer.Option(help="open | resolved | all")] = Status.OPEN,
    severity: Annotated[Severity | None, typer.Option(help="info | warning | critical")] = None,
    server: Annotated[str | None, typer.Option(help="only this server (name)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Alerts, newest first (open ones unless --status says otherwise)."""

    from chatops_commander.services import monitoring

    async def main(c: bootstrap.Container) -> tuple[list[Alert], int, dict[Any, str]]:
        async with c.uow() as uow:
            servers = await uow.servers.list()
        names = {s.id: s.name for s in servers}
        server_id = None
        if server is not None:
            matches = [s.id for s in servers if s.name == server]
            if not matches:
                fail(tr(f"no server named {server!r}; see `chatops servers list`",
                        f"aucun serveur nommé {server!r} ; voyez `chatops servers list`"))
            server_id = matches[0]
        resolved = {Status.OPEN: False, Status.RESOLVED: True, Status.ALL: None}[status]
        query = AlertQuery(resolved=resolved, severity=severity, server_id=server_id, limit=limit)
        items, total = await monitoring.list_alerts(c.uow, cli_principal(), query)
        return items, total, names

    items, total, names = run_with_container(main)
    if as_json:
        for a in items:
            typer.echo(json.dumps(_as_json(a, names), ensure_ascii=False))
        return
    if not items:
        console.print(tr("✅ No alert matches.", "✅ Aucune alerte ne correspond."))
        return
    lang = language()
    table = Table("id", "severity", "server", "rule", "message", "since", "state")
    for a in items:
        since = a.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if a.created_at else ""
        state = (tr("resolved", "résolue") + (f" ({a.resolved_by})" if a.resolved_by else "")) if a.resolved \
            else tr("open", "ouverte")
        table.add_row(str(a.id)[:8], f"[{SEVERITY_STYLE[a.severity]}]{a.severity.value}[/]",
                      names.get(a.server_id, "—"), a.type, a.localized(lang), since, state)
    console.print(table)
    if total > len(items):
        console.print(tr(f"{len(items)} of {total} shown (use --limit).",
                         f"{len(items)} sur {total} affichées (utilisez --limit)."))


@app.command("resolve")
def resolve(alert_id: Annotated[str, typer.Argument(help="the alert's id, or a unique prefix of it")]) -> None:
    """Resolve an open alert by hand (it opens again at the next check if its condition still holds)."""
    from chatops_commander.services import monitoring

    principal = cli_principal()

    async def main(c: bootstrap.Container) -> Alert:
        found = await monitoring.find_alert(c.uow, alert_id)
        assert found.id is not None
        return await monitoring.resolve_alert(c.uow, principal, found.id, now=datetime.now(UTC))

    done = run_with_container(main)
    console.print(tr(f"✅ Alert {str(done.id)[:8]} ({done.type}) resolved.",
                     f"✅ Alerte {str(done.id)[:8]} ({done.type}) résolue."))
