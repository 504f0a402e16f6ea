"""`chatops approvals list|approve ID|reject ID --reason`: the 4-eyes requests, decided from the terminal.

The same service as the web UI, the REST API and MCP (`ChatService.decide_approval`, door `cli`): the requester
is checked again, exactly the approved action runs through the action pipeline (a `commands` row per host,
door `cli`), and the outcome is posted to the requester's conversation. The CLI acts as the administrator
`cli:<os user>`; `--as EMAIL` decides as that admin. ID: the full id or its first characters (as cards show).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from chatops_commander import bootstrap
from chatops_commander.entrypoints.cli.common import console, fail, run_with_container, tr
from chatops_commander.services.principal import AuthMethod, Principal

if TYPE_CHECKING:
    from chatops_commander.domain.chat.approvals import Approval
    from chatops_commander.services.chat import ChatService

app = typer.Typer(help="Approval requests (4-eyes): list them, approve or reject one.", no_args_is_help=True)
AsOption = Annotated[str | None, typer.Option("--as", help="decide as this admin (e-mail)")]


def _as_json(a: Approval, now: datetime) -> dict[str, Any]:
    return {"id": a.id, "state": a.shown_state(now), "action": a.action, "targets": list(a.targets),
            "service": a.service, "parameters": dict(a.parameters), "risk": a.risk.value, "requester": a.requester,
            "conversation_id": a.conversation_id, "text": a.text, "created_at": a.created_at.isoformat(),
            "expires_at": a.expires_at.isoformat() if a.expires_at else None, "decided_by": a.decided_by,
            "decided_at": a.decided_at.isoformat() if a.decided_at else None, "reason": a.reason}


async def _principal(c: bootstrap.Container, as_user: str | None) -> Principal:
    if as_user is None:
        return Principal.cli(bootstrap.os_user())
    async with c.uow() as uow:
        user = await uow.users.get_by_email(as_user)
    if user is None or not user.is_active:
        fail(tr(f"no active user {as_user!r}; see `chatops users list`",
                f"aucun utilisateur actif {as_user!r} ; voyez `chatops users list`"))
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.CLI,
                     language=user.language)


def _chat(c: bootstrap.Container) -> ChatService:
    return bootstrap.build_chat_service(c)


@app.command("list")
def list_(
    every: Annotated[bool, typer.Option("--all", help="every request, decided and expired ones included")] = False,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Requests waiting for an admin's decision (not expired), oldest first; `--all` for every request."""

    async def main(c: bootstrap.Container) -> tuple[list[Approval], datetime]:
        chat = _chat(c)
        found = await chat.list_approvals(await _principal(c, as_user), pending=not every)
        return sorted(found, key=lambda a: a.created_at), chat.clock.now()

    items, now = run_with_container(main)
    if as_json:
        for item in items:
            print(json.dumps(_as_json(item, now), ensure_ascii=False))
        return
    if not items:
        console.print(tr("No request waits for a decision." if not every else "No approval request.",
                         "Aucune demande n'attend de décision." if not every else "Aucune demande d'approbation."))
        return
    table = Table(title=tr(f"{len(items)} approval request(s)", f"{len(items)} demande(s) d'approbation"))
    for column in (tr("id", "id"), tr("state", "état"), tr("action", "action"), tr("servers", "serveurs"),
                   tr("requester", "demandeur"), tr("asked", "demandée"), tr("expires", "expire"),
                   tr("request", "demande")):
        table.add_column(column, overflow="fold")
    for a in items:
        table.add_row(a.id[:8], a.shown_state(now), a.action, ", ".join(a.targets), a.requester,
                      f"{a.created_at:%Y-%m-%d %H:%M}", f"{a.expires_at:%Y-%m-%d %H:%M}" if a.expires_at else "",
                      a.text[:80])
    console.print(table)


def _decide(ident: str, *, approve: bool, reason: str | None, as_user: str | None, as_json: bool) -> None:
    from chatops_commander.services.actions import Door

    async def main(c: bootstrap.Container) -> tuple[Approval, str]:
        chat = _chat(c)
        principal = await _principal(c, as_user)
        every = await chat.list_approvals(principal)
        matches = [a for a in every if a.id == ident] or [a for a in every if a.id.startswith(ident.lower())]
        if not matches:
            fail(tr(f"no approval request {ident!r}; see `chatops approvals list --all`",
                    f"aucune demande d'approbation {ident!r} ; voyez `chatops approvals list --all`"))
        if len(matches) > 1:
            fail(tr(f"{ident!r} names {len(matches)} requests: give more characters of the id",
                    f"{ident!r} désigne {len(matches)} demandes : donnez plus de caractères de l'identifiant"))
        done, reply = await chat.decide_approval(principal, matches[0].id, approve=approve, reason=reason,
                                                 door=Door.CLI)
        said = reply.message.content if reply and reply.message else ""
        return done, said

    done, said = run_with_container(main)
    if as_json:
        print(json.dumps({"approval": _as_json(done, done.decided_at or done.created_at), "reply": said},
                         ensure_ascii=False))
        return
    head = (tr(f"approved {done.id[:8]} ({done.action} on {', '.join(done.targets)})",
               f"demande {done.id[:8]} approuvée ({done.action} sur {', '.join(done.targets)})") if approve else
            tr(f"rejected {done.id[:8]} ({done.action} on {', '.join(done.targets)})",
               f"demande {done.id[:8]} rejetée ({done.action} sur {', '.join(done.targets)})"))
    console.print(head, highlight=False)
    if said:
        console.print(said, highlight=False, markup=False)
    if not said:
        console.print(tr("The requester's conversation is gone: nothing was posted.",
                         "La conversation du demandeur n'existe plus : rien n'a été publié."))


@app.command("approve")
def approve(
    ident: Annotated[str, typer.Argument(metavar="ID", help="the request's id (or its first characters)")],
    reason: Annotated[str | None, typer.Option(help="why (optional)")] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Approve a request: the requester is checked again, then exactly that action runs (door `cli`)."""
    _decide(ident, approve=True, reason=reason, as_user=as_user, as_json=as_json)


@app.command("reject")
def reject(
    ident: Annotated[str, typer.Argument(metavar="ID", help="the request's id (or its first characters)")],
    reason: Annotated[str | None, typer.Option(help="why (required, told to the requester)")] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Reject a request with a reason; nothing runs."""
    if not (reason or "").strip():
        fail(tr("a rejection needs a reason: add --reason \"why\" (the requester reads it)",
                "un rejet demande un motif : ajoutez --reason \"pourquoi\" (le demandeur le lira)"))
    _decide(ident, approve=False, reason=reason, as_user=as_user, as_json=as_json)
