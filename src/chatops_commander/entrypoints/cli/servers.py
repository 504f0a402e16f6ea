"""`chatops servers add|list|show|remove|import|set-secret|trust|test`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from chatops_commander import bootstrap
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server
from chatops_commander.entrypoints.cli.common import (
    cli_principal,
    console,
    fail,
    language,
    run_with_container,
    settings_or_fail,
    tr,
)
from chatops_commander.services import servers as service

app = typer.Typer(help="Manage the server registry.", no_args_is_help=True)


def _table(servers: list[Server]) -> Table:
    table = Table("name", "address", "user", "tags", "services", "connection", "status")
    for s in servers:
        address = s.hostname if s.hostname == s.ip_address else f"{s.hostname} ({s.ip_address})"
        table.add_row(s.name, f"{address}:{s.port}", s.ssh_user, ", ".join(s.tags), ", ".join(s.services),
                      s.connection.value, s.status.value)
    return table


@app.command("add")
def add(
    name: str,
    host: Annotated[str, typer.Option("--host", help="hostname or IP address")],
    user: Annotated[str, typer.Option("--user", help="SSH user")] = "root",
    port: Annotated[int, typer.Option(help="SSH port")] = 22,
    ip: Annotated[str | None, typer.Option(help="IP address (resolved from --host when omitted)")] = None,
    key: Annotated[str | None, typer.Option(help="private key file")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="tag (repeatable)")] = None,
    service_name: Annotated[list[str] | None, typer.Option("--service", help="service running there")] = None,
    tofu: Annotated[bool, typer.Option(help="trust the host key on first use")] = False,
    become: Annotated[bool, typer.Option(help="run every command through `sudo -n` (passwordless sudo)")] = False,
) -> None:
    """Register a server."""
    address = ip or service.resolve_address(host)
    if address is None:
        fail(f"{host!r} does not resolve; give its address with --ip")
    server = Server(name=name, hostname=host, ip_address=address, port=port, ssh_user=user, ssh_key_path=key,
                    become=become, tags=tuple(tag or ()), services=tuple(service_name or ()),
                    host_key_policy=HostKeyPolicy.TOFU if tofu else HostKeyPolicy.KNOWN_HOSTS)
    created = run_with_container(lambda c: service.add_server(c.uow, cli_principal(), server))
    console.print(f"✅ Server [bold]{created.name}[/] registered ({created.ip_address}:{created.port}).")


@app.command("list")
def list_(tag: Annotated[str | None, typer.Option(help="only servers with this tag")] = None) -> None:
    """List registered servers."""
    servers = run_with_container(lambda c: service.list_servers(c.uow, cli_principal(), tag=tag))
    console.print(_table(servers))


@app.command("show")
def show(name: str) -> None:
    """Show one server."""
    s = run_with_container(lambda c: service.get_server(c.uow, cli_principal(), name))
    for key in ("id", "name", "hostname", "ip_address", "port", "ssh_user", "ssh_key_path", "become", "tags",
                "services", "connection", "host_key_policy", "host_key_fingerprint", "status", "last_check",
                "created_at"):
        value = getattr(s, key)
        console.print(f"[bold]{key:>22}[/]  {', '.join(value) if isinstance(value, tuple) else value}",
                      highlight=False)


@app.command("remove")
def remove(name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False) -> None:
    """Unregister a server."""
    if not yes and not typer.confirm(f"Remove server {name!r}?"):
        raise typer.Exit(1)
    removed = run_with_container(lambda c: service.remove_server(c.uow, cli_principal(), name))
    console.print(f"Server [bold]{removed.name}[/] removed.")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Ansible inventory (INI or YAML) or ~/.ssh/config")],
    fmt: Annotated[str | None, typer.Option("--format", help="ini | yaml | ssh (detected when omitted)")] = None,
    trust_new: Annotated[bool, typer.Option("--trust-new-host-keys",
                                            help="pin the host key each imported server offers now, when none "
                                                 "is pinned yet (every fingerprint stored is printed)")] = False,
) -> None:
    """Import servers from an Ansible inventory or an ssh config; importing again updates them."""
    try:
        drafts = bootstrap.read_inventory(path.expanduser(), fmt)
    except bootstrap.InventoryError as exc:
        fail("nothing imported:\n" + "\n".join(exc.problems))
    try:
        report = run_with_container(lambda c: service.import_servers(c.uow, cli_principal(), drafts))
    except ValidationFailed as exc:  # pragma: no cover - run_with_container already maps it
        fail(str(exc))
    console.print(f"✅ {len(report.created)} created, {len(report.updated)} updated "
                  f"({', '.join(report.created + report.updated) or 'nothing'}).")
    if trust_new and not _trust_new_host_keys(report.created + report.updated):
        raise typer.Exit(1)


def _trust_new_host_keys(names: tuple[str, ...]) -> bool:
    """Pin the key each of `names` offers when it has none pinned, printing every fingerprint stored; False when
    one could not be reached (it stays untrusted)."""

    async def trust_all(c: bootstrap.Container) -> list[tuple[str, str | None, str | None]]:
        principal = cli_principal()
        servers = [await service.get_server(c.uow, principal, n) for n in names]
        untrusted = [s for s in servers if not s.host_key_fingerprint and s.connection is not Connection.LOCAL]

        async def one(server: Server) -> tuple[str, str | None, str | None]:
            try:
                fingerprint = await bootstrap.offered_host_key(server)
            except OSError as exc:
                return server.name, None, str(exc)
            await service.trust_host_key(c.uow, principal, server.name, fingerprint)
            return server.name, fingerprint, None

        return list(await asyncio.gather(*(one(s) for s in untrusted)))

    outcomes = run_with_container(trust_all)
    for name, fingerprint, why in outcomes:
        if fingerprint is not None:
            console.print(tr(f"🔑 {name}: host key {fingerprint} trusted", f"🔑 {name} : clé d'hôte {fingerprint} "
                             "approuvée"), highlight=False, markup=False)
        else:
            console.print(tr(f"⚠️  {name}: unreachable ({why}); host key not trusted",
                             f"⚠️  {name} : injoignable ({why}) ; clé d'hôte non approuvée"), highlight=False,
                          markup=False)
    return all(fingerprint is not None for _, fingerprint, _ in outcomes)


@app.command("set-secret")
def set_secret(
    name: str,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="SSH private key file to store")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read an SSH password from stdin")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="forget the stored secret")] = False,
) -> None:
    """Store a server's SSH private key or password, encrypted at rest (never shown again)."""
    import sys

    if sum([key_file is not None, password_stdin, clear]) != 1:
        fail(tr("give exactly one of --key-file, --password-stdin, --clear",
                "donnez exactement une option parmi --key-file, --password-stdin, --clear"))
    kind, value = "private_key", None
    if key_file is not None:
        try:
            value = key_file.expanduser().read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(tr(f"cannot read {key_file}: {exc.__class__.__name__}", f"impossible de lire {key_file}"))
    elif password_stdin:
        kind, value = "password", sys.stdin.readline().rstrip("\n")
    run_with_container(lambda c: service.set_server_secret(c.uow, c.security, cli_principal(), name, kind=kind,
                                                           value=value))
    console.print(tr(f"✅ Secret of [bold]{name}[/] {'cleared' if clear else 'stored, encrypted'}.",
                     f"✅ Secret de [bold]{name}[/] {'effacé' if clear else 'enregistré, chiffré'}."))


@app.command("trust")
def trust(name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False) -> None:
    """Show the SSH host key a server offers now and, once confirmed, pin it (for hosts not in known_hosts)."""
    server = run_with_container(lambda c: service.get_server(c.uow, cli_principal(), name))
    try:
        fingerprint = asyncio.run(bootstrap.offered_host_key(server))
    except OSError as exc:
        fail(tr(f"cannot reach {server.name} ({server.ip_address}:{server.port}): {exc}; nothing trusted",
                f"{server.name} injoignable ({server.ip_address}:{server.port}) : {exc} ; rien n'a été approuvé"))
    console.print(tr(f"{server.name} ({server.ip_address}:{server.port}) offers the host key {fingerprint}",
                     f"{server.name} ({server.ip_address}:{server.port}) présente la clé d'hôte {fingerprint}"),
                  highlight=False, markup=False)
    listed = bootstrap.known_host_fingerprints(settings_or_fail(), server)
    if fingerprint in listed or server.host_key_fingerprint == fingerprint:
        console.print(tr("✅ This key is already trusted.", "✅ Cette clé est déjà approuvée."))
        return
    if listed:
        fail(tr(f"known_hosts lists {server.name} with another key ({', '.join(listed)}), and it wins over a pinned "
                "key: if the host was really re-keyed, remove that line (ssh-keygen -R) and run this again",
                f"known_hosts donne une autre clé pour {server.name} ({', '.join(listed)}), qui l'emporte sur une "
                "clé épinglée : si l'hôte a vraiment changé de clé, retirez cette ligne (ssh-keygen -R) et "
                "relancez"))
    if server.host_key_fingerprint:
        console.print(tr(f"⚠️  It replaces the pinned key {server.host_key_fingerprint}.",
                         f"⚠️  Elle remplace la clé épinglée {server.host_key_fingerprint}."), markup=False)
    if not yes and not typer.confirm(tr("Trust this key?", "Approuver cette clé ?")):
        console.print(tr("Nothing trusted.", "Rien n'a été approuvé."))
        raise typer.Exit(1)
    run_with_container(lambda c: service.trust_host_key(c.uow, cli_principal(), server.name, fingerprint))
    console.print(tr(f"✅ Host key of [bold]{server.name}[/] trusted ({fingerprint}).",
                     f"✅ Clé d'hôte de [bold]{server.name}[/] approuvée ({fingerprint})."), highlight=False)


@app.command("test")
def test(target: Annotated[str, typer.Argument(help="a server name, or `all`")]) -> None:
    """Connect to one server (or all, CHATOPS_FANOUT_CONCURRENCY at once) and run the read-only probe: one line
    per server as it answers; exit 1 if any failed."""
    lang = language()

    async def check_all(c: bootstrap.Container) -> list[service.ConnectionCheck]:
        principal = cli_principal()
        every = target == "all"
        names: list[str | UUID] = ([s.name for s in await service.list_servers(c.uow, principal)] if every
                                   else [target])
        checks = []
        async for check in service.check_connections(c.uow, c.fanout.executor, principal, names,
                                                     concurrency=c.settings.fanout_concurrency):
            console.print(_check_line(check, lang), highlight=False, markup=False)
            checks.append(check)
        return checks

    checks = run_with_container(check_all)
    failed = sum(1 for check in checks if not check.ok)
    if len(checks) > 1:
        console.print(tr(f"{len(checks) - failed} of {len(checks)} servers answered; {failed} failed.",
                         f"{len(checks) - failed} serveurs sur {len(checks)} ont répondu ; {failed} en échec."),
                      highlight=False, markup=False)
    if failed:
        raise typer.Exit(1)


def _check_line(check: service.ConnectionCheck, lang: str) -> str:
    """`name: ok (12 ms, systemd)` or `name: outcome — why`: the outcome is a stable word (ok, unreachable,
    auth_failed, host_key_unknown…), the rest in the user's language (host errors carry both)."""
    sep = " : " if lang == "fr" else ": "
    if check.ok:
        return f"{check.server}{sep}ok ({check.duration_ms} ms, {check.service_manager})"
    return f"{check.server}{sep}{check.outcome} — {check.error}"
