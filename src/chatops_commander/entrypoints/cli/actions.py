"""`chatops actions list|show`, `chatops run ACTION --on TARGETS`, `chatops exec --on TARGETS -- COMMAND`.

The CLI works on the local data directory as an administrator (`cli:<os user>`), or with a user's
permissions given `--as EMAIL`; every run is authorized, confirmed when risky, and audited.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from chatops_commander import bootstrap
from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.servers import Server
from chatops_commander.domain.targets import resolve_targets
from chatops_commander.entrypoints.cli.common import console, fail, language, run_with_container
from chatops_commander.services import servers as server_service
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.skills.shell_risk import classify

if TYPE_CHECKING:  # the pipeline (and through it the catalog, pydantic) is imported when a command runs
    from chatops_commander.services.actions import ActionRequest

actions_app = typer.Typer(help="The action catalog.", no_args_is_help=True)

OUTCOME_STYLE = {HostOutcome.OK: "green", HostOutcome.FAILED: "yellow"}
RISK_STYLE = {Risk.LOW: "green", Risk.MEDIUM: "yellow", Risk.HIGH: "dark_orange", Risk.CRITICAL: "red"}
OnOption = Annotated[str, typer.Option("--on", help="servers, groups/tags or `all`, comma separated")]
AsOption = Annotated[str | None, typer.Option("--as", help="run with this user's permissions")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="confirm a risky action without asking")]
DeadlineOption = Annotated[float, typer.Option(help="overall deadline in seconds")]


@actions_app.command("list")
def actions_list() -> None:
    """Every action: id, intent, base risk, permission, summary."""
    registry = bootstrap.load_catalog(_settings())
    lang = language()
    table = Table("id", "intent", "risk", "permission", "summary")
    for skill in registry:
        spec = skill.spec
        table.add_row(spec.id, spec.intent.value, f"[{RISK_STYLE[spec.risk]}]{spec.risk.value}[/]",
                      spec.permission.value, spec.summary.get(lang, spec.summary.get("en", "")))
    console.print(table)
    for problem in registry.problems:
        console.print(f"[yellow]pack skipped:[/] {problem}")


@actions_app.command("show")
def actions_show(action_id: str) -> None:
    """One action: its parameters (JSON schema) and how risky it is."""
    skill = bootstrap.load_catalog(_settings()).get(action_id)
    if skill is None:
        fail(f"unknown action {action_id!r}; see `chatops actions list`")
    spec = skill.spec
    console.print(f"[bold]{spec.id}[/] — {spec.summary.get(language(), spec.summary.get('en', ''))}")
    console.print(f"intent: {spec.intent.value}   risk: {spec.risk.value}   permission: {spec.permission.value}"
                  f"{'   (admin approval for operators)' if spec.approval_for_operators else ''}")
    console.print_json(json.dumps(skill.params_model.model_json_schema()))


def run(
    action_id: Annotated[str, typer.Argument(help="action id, see `chatops actions list`")],
    on: OnOption,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value (repeatable)")] = None,
    as_user: AsOption = None, yes: YesOption = False, deadline: DeadlineOption = 300.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON lines")] = False,
) -> None:
    """Run one action of the catalog on servers, in parallel."""
    params = _params(param or [])

    async def main(c: bootstrap.Container) -> list[RunResult]:
        principal = await _principal(c, as_user)
        servers = await _targets(c, principal, on)
        if c.fanout.registry.get(action_id) is None:
            fail(f"unknown action {action_id!r}, or it does not run on servers; see `chatops actions list`")
        await _warm(c, servers)
        request = _request(principal, action_id, servers, params, yes)
        return await _submit(c, request, f"{action_id} {_shown(params)}", servers, deadline, as_json)

    _finish(run_with_container(main))


def exec_(
    command: Annotated[list[str], typer.Argument(help="the command line, after --")],
    on: OnOption, as_user: AsOption = None, yes: YesOption = False, deadline: DeadlineOption = 300.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON lines")] = False,
) -> None:
    """Run a raw command (admin only); its risk is classified from the command line."""
    line = " ".join(command)
    params = {"command": line}

    async def main(c: bootstrap.Container) -> list[RunResult]:
        principal = await _principal(c, as_user)
        servers = await _targets(c, principal, on)
        verdict = classify(line)
        if verdict.reasons:
            console.print(f"[{RISK_STYLE[verdict.risk]}]risk {verdict.risk.value}[/]: {'; '.join(verdict.reasons)}")
        await _warm(c, servers)
        request = _request(principal, "shell.run", servers, params, yes)
        return await _submit(c, request, line, servers, deadline, as_json)

    _finish(run_with_container(main))


def _request(principal: Principal, action_id: str, servers: list[Server], params: dict[str, Any],
             yes: bool) -> ActionRequest:
    from chatops_commander.services.actions import ActionRequest, Door

    return ActionRequest(principal, action_id, tuple(s.name for s in servers), params, Door.CLI,
                         door_detail=f"cli:{bootstrap.os_user()}", confirmed=yes,
                         text=f"{action_id} {_shown(params)}".strip())


async def _submit(c: bootstrap.Container, request: ActionRequest, what: str, servers: list[Server],
                  deadline: float, as_json: bool) -> list[RunResult]:
    """The CLI door: the pipeline decides and runs; this asks for a confirmation and renders."""
    from chatops_commander.services.actions import NeedsApproval, NeedsConfirmation, Refused

    pipeline = bootstrap.build_pipeline(c, deadline_s=deadline)
    decided = await pipeline.decide(request)
    if isinstance(decided, NeedsConfirmation):
        _confirm(what, servers, decided.risk)
        decided = await pipeline.decide(dataclasses.replace(request, confirmed=True, follow_up=True))
    if isinstance(decided, NeedsApproval):
        raise PermissionDenied(
            f"{request.action} by {request.principal.role.value} needs an admin's approval: ask for it in the chat "
            f"or the API.",
            message_fr=f"{request.action} demande l'approbation d'un admin : demandez-la dans le chat ou par l'API.")
    if isinstance(decided, Refused):
        raise decided.error or PermissionDenied(decided.message_en, message_fr=decided.message_fr)
    if isinstance(decided, NeedsConfirmation):  # cannot happen: confirmed above
        fail("not confirmed: nothing was run", code=1)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True, disable=as_json)
    with progress:
        task = progress.add_task(f"{request.action} on {len(servers)} server(s)", total=len(servers))

        def shown(res: RunResult) -> None:
            progress.advance(task)
            if as_json:
                typer.echo(json.dumps(_as_json(res), ensure_ascii=False))

        outcome = await pipeline.run(decided, on_result=shown)
    if isinstance(outcome, Refused):
        raise outcome.error or PermissionDenied(outcome.message_en, message_fr=outcome.message_fr)
    results = list(outcome.results)
    if not as_json:
        console.print(_table(results, raw_output=request.action == "shell.run"))
    return results


def _settings() -> Any:
    from chatops_commander.entrypoints.cli.common import settings_or_fail

    return settings_or_fail()


def _params(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--param {pair!r}: expected key=value")
        out[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else value
    return out


def _shown(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


async def _principal(c: bootstrap.Container, as_user: str | None) -> Principal:
    principal = Principal.cli(bootstrap.os_user())
    if as_user is None:
        return principal
    async with c.uow() as uow:
        user = await uow.users.get_by_email(as_user)
    if user is None or not user.is_active:
        fail(f"no active user {as_user!r}; see `chatops users list`")
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.CLI,
                     language=user.language)


async def _targets(c: bootstrap.Container, principal: Principal, expression: str) -> list[Server]:
    servers = await server_service.list_servers(c.uow, principal)
    return resolve_targets(expression, Inventory.from_servers(servers))


async def _warm(c: bootstrap.Container, servers: list[Server]) -> None:
    """Start opening the SSH connections now, while the run is decided and its rows are written ahead: a
    connection is not a command (nothing is sent before the rows are committed), and the hosts' handshakes
    overlap this process's own work (ADR 0012)."""
    warm = getattr(c.fanout.executor, "warm", None)
    if warm is not None:
        await warm(servers)


def _confirm(what: str, servers: list[Server], risk: Risk) -> None:
    names = ", ".join(s.name for s in servers)
    console.print(f"⚠️  [{RISK_STYLE[risk]}]risk {risk.value}[/]: {what} on {names}")
    try:
        confirmed = typer.confirm("Run it?", default=False)
    except (typer.Abort, EOFError):
        confirmed = False
    if not confirmed:
        fail("not confirmed: nothing was run (use --yes to confirm without a prompt)", code=1)


def _as_json(res: RunResult) -> dict[str, Any]:
    return {"host": res.host, "outcome": res.outcome.value, "exit_code": res.exit_code,
            "duration_ms": res.duration_ms, "stdout": res.stdout, "stderr": res.stderr,
            "stdout_truncated": res.stdout_truncated, "message": res.message,
            "data": {k: v for k, v in res.data.items() if k != "explanation"}}


def _table(results: list[RunResult], *, raw_output: bool) -> Table:
    lang = language()
    table = Table("server", "outcome", "exit", "ms", "output" if raw_output else "result")
    for res in sorted(results, key=lambda r: r.host):
        explained = res.data.get("explanation")
        explanation = explained.get(lang) if isinstance(explained, dict) and not raw_output else None
        detail = explanation or res.message or (res.stdout.strip() or res.stderr.strip())[-2000:]
        table.add_row(res.host, f"[{OUTCOME_STYLE.get(res.outcome, 'red')}]{res.outcome.value}[/]",
                      "" if res.exit_code is None else str(res.exit_code), str(res.duration_ms), detail)
    return table


def _finish(results: list[RunResult]) -> None:
    if not all(r.ok for r in results):
        raise typer.Exit(1)
