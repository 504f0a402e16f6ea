"""`chatops bots run|link …|channel …|secret set`: the chat platforms (Slack …) as doors of the action pipeline.

Acting as admin `cli:<os user>`. Heavy imports (the platform SDKs) happen only in `run`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.cli.common import cli_principal, console, fail, language, run_with_container, tr

if TYPE_CHECKING:
    from chatops_commander.bootstrap import Container

app = typer.Typer(help="Chat platforms: run the bots, link chat users to accounts, channel policies.",
                  no_args_is_help=True)
link_app = typer.Typer(help="Chat identities linked to accounts.", no_args_is_help=True)
channel_app = typer.Typer(help="What each channel allows (actions, server tags, highest risk).", no_args_is_help=True)
secret_app = typer.Typer(help="Platform secrets, sealed in the database (the environment wins when set).",
                         no_args_is_help=True)
app.add_typer(link_app, name="link")
app.add_typer(channel_app, name="channel")
app.add_typer(secret_app, name="secret")


def _platform(name: str) -> str:
    from chatops_commander.services.platforms.contract import Platform

    value = name.strip().lower()
    if value not in {p.value for p in Platform}:
        fail(tr(f"unknown platform {name!r}: use one of {', '.join(p.value for p in Platform)}",
                f"plateforme inconnue {name!r} : utilisez l'une de {', '.join(p.value for p in Platform)}"))
    return value


@app.command("run")
def run(platforms: Annotated[list[str] | None, typer.Argument(help="slack … (default: CHATOPS_BOTS)")] = None) -> None:
    """Run the chat bots in this process until Ctrl-C (reconnects with backoff on outages)."""
    import asyncio

    from chatops_commander import bootstrap_platforms as bp

    try:
        ps = bp.platform_settings()
    except Exception as exc:  # pydantic ValidationError: name the variable
        fail(f"invalid configuration: {exc}")
    names = [_platform(p) for p in (platforms or ps.bots)]
    if not names:
        fail(tr("name a platform (`chatops bots run slack`) or set CHATOPS_BOTS=slack",
                "nommez une plateforme (`chatops bots run slack`) ou définissez CHATOPS_BOTS=slack"))
    from chatops_commander.entrypoints.logging import configure_logging

    configure_logging(level="info", json=False)

    async def go(c: Container) -> None:
        stop = asyncio.Event()
        console.print(tr(f"Chat bots running: {', '.join(names)} (Ctrl-C stops).",
                         f"Bots de chat lancés : {', '.join(names)} (Ctrl-C pour arrêter)."))
        try:
            await bp.run_bots(c, names, stop, ps)
        finally:
            stop.set()

    run_with_container(go)


@link_app.command("import")
def link_import(file: Annotated[Path, typer.Argument(help="CSV: platform,user_id,email (a header line is allowed)")]
                ) -> None:
    """Link chat users to accounts in bulk: all or nothing, every problem with its line."""
    from chatops_commander import bootstrap_platforms as bp
    from chatops_commander.services.platforms.linking import Linking

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(tr(f"cannot read {file}: {exc}", f"impossible de lire {file} : {exc}"))
    try:
        rows = Linking.parse_csv(text) if text else []
    except DomainError as exc:
        fail(exc.localized(language()))

    async def go(c: Container) -> int:
        return len(await bp.linking(c).import_rows(cli_principal(), rows))

    count = run_with_container(go) if rows else 0
    console.print(tr(f"✅ {count} chat identit{'y' if count == 1 else 'ies'} linked.",
                     f"✅ {count} identité(s) de chat liée(s)."))


@link_app.command("list")
def link_list(platform: Annotated[str | None, typer.Option(help="only this platform")] = None) -> None:
    """The linked chat identities."""
    from chatops_commander import bootstrap_platforms as bp
    from chatops_commander.services.platforms.contract import Platform

    async def go(c: Container) -> list[tuple[str, ...]]:
        store = bp.platform_store(c)
        async with c.uow() as uow:
            emails = {u.id: u.email for u in await uow.users.list()}
        return [(i.platform.value, i.user_id, emails.get(i.account_id, "?"), i.linked_by,
                 i.linked_at.strftime("%Y-%m-%d %H:%M") if i.linked_at else "-")
                for i in await store.identities(Platform(_platform(platform)) if platform else None)]

    table = Table("platform", "user id", "account", "linked by", "linked at (UTC)")
    for row in run_with_container(go):
        table.add_row(*row)
    console.print(table)


@link_app.command("remove")
def link_remove(platform: str, user_id: str) -> None:
    """Unlink a chat user (they can run nothing until linked again)."""
    from chatops_commander import bootstrap_platforms as bp
    from chatops_commander.services.platforms.contract import Platform

    name = _platform(platform)
    run_with_container(lambda c: bp.linking(c).remove(cli_principal(), Platform(name), user_id))
    console.print(tr(f"✅ {name} user {user_id} unlinked.", f"✅ Utilisateur {name} {user_id} délié."))


@channel_app.command("set")
def channel_set(
    platform: str, channel_id: str,
    actions: Annotated[str, typer.Option(help="comma-separated action ids or patterns (service.*); empty: all")] = "",
    tags: Annotated[str, typer.Option(help="comma-separated server tags; empty: every server")] = "",
    max_risk: Annotated[str, typer.Option(help="low | medium | high | critical")] = "critical",
) -> None:
    """Set what a channel allows."""
    from chatops_commander import bootstrap_platforms as bp
    from chatops_commander.services.platforms.contract import Platform

    name = _platform(platform)
    policy = run_with_container(lambda c: bp.linking(c).set_policy(
        cli_principal(), Platform(name), channel_id, actions=actions.split(","), tags=tags.split(","),
        max_risk=max_risk))
    console.print(tr(f"✅ {name} channel {policy.channel_id}: {_describe(policy)}",
                     f"✅ Canal {name} {policy.channel_id} : {_describe(policy)}"))


def _describe(policy: object) -> str:
    actions = ", ".join(getattr(policy, "actions", ())) or "*"
    tags = ", ".join(getattr(policy, "tags", ())) or "*"
    risk = getattr(getattr(policy, "max_risk", None), "value", "critical")
    return f"actions {actions}; tags {tags}; max risk {risk}"


@channel_app.command("show")
def channel_show(platform: str, channel_id: str) -> None:
    """What a channel allows."""
    from chatops_commander import bootstrap_platforms as bp
    from chatops_commander.services.platforms.contract import Platform

    name = _platform(platform)
    policy = run_with_container(lambda c: bp.platform_store(c).policy(Platform(name), channel_id))
    if policy is None:
        console.print(tr(f"{name} channel {channel_id}: no policy (everything the user's role and rights allow).",
                         f"Canal {name} {channel_id} : aucune règle (tout ce que le rôle et les droits permettent)."))
        return
    console.print(f"{name} {channel_id}: {_describe(policy)}")


@channel_app.command("list")
def channel_list() -> None:
    """Every channel policy."""
    from chatops_commander import bootstrap_platforms as bp

    table = Table("platform", "channel", "actions", "tags", "max risk", "updated by")
    for p in run_with_container(lambda c: bp.platform_store(c).policies()):
        table.add_row(p.platform.value, p.channel_id, ", ".join(p.actions) or "*", ", ".join(p.tags) or "*",
                      p.max_risk.value, p.updated_by)
    console.print(table)


@secret_app.command("set")
def secret_set(platform: str, name: str,
               value_stdin: Annotated[bool, typer.Option("--stdin", help="read the value from stdin")] = False) -> None:
    """Seal a platform secret (e.g. `slack bot_token`) in the database with the secret box."""
    from chatops_commander import bootstrap_platforms as bp

    plat = _platform(platform)
    allowed = bp.SECRET_NAMES.get(plat, ())
    if name not in allowed:
        fail(tr(f"unknown secret {name!r} for {plat}: use one of {', '.join(allowed) or 'none yet'}",
                f"secret inconnu {name!r} pour {plat} : utilisez l'un de {', '.join(allowed) or 'aucun'}"))
    value = sys.stdin.readline().strip() if value_stdin else typer.prompt(name, hide_input=True)
    if not value:
        fail(tr("an empty value was given", "la valeur est vide"))
    run_with_container(lambda c: bp.seal_secret(c, plat, name, value, actor=cli_principal().actor))
    console.print(tr(f"✅ {plat} {name} sealed.", f"✅ {plat} {name} scellé."))
