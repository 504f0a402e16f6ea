"""`chatops users add|list|set-role|disable|reset-password|grant|revoke|grants` (acting as admin `cli:<os user>`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.entrypoints.cli.common import cli_principal, console, fail, run_with_container, tr
from chatops_commander.services import users as service

if TYPE_CHECKING:
    from chatops_commander.config import Settings

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(tr("Password", "Mot de passe"), hide_input=True,
                                confirmation_prompt=tr("Repeat the password", "Répétez le mot de passe"))
    if not password:
        fail(tr("an empty password was given", "le mot de passe est vide"))
    return password


@app.command("add")
def add(
    email: str,
    role: Annotated[Role, typer.Option(help="viewer | operator | admin")] = Role.VIEWER,
    name: Annotated[str | None, typer.Option(help="display name (default: the e-mail's local part)")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a user (asks for the password unless --password-stdin)."""
    password = _read_password(password_stdin)
    user = run_with_container(lambda c: service.create_user(
        c.uow, c.security, cli_principal(), email=email, name=name or email.split("@", 1)[0], role=role,
        password=password))
    console.print(tr(f"✅ User [bold]{user.email}[/] created with role {user.role.value}.",
                     f"✅ Utilisateur [bold]{user.email}[/] créé avec le rôle {user.role.value}."))


@app.command("list")
def list_() -> None:
    """List users."""
    users = run_with_container(lambda c: service.list_users(c.uow, cli_principal()))
    table = Table("email", "name", "role", "active", "2FA", "last login")
    for u in users:
        table.add_row(u.email, u.name, u.role.value, "yes" if u.is_active else "no", "on" if u.totp_enabled else "off",
                      u.last_login.isoformat(timespec="seconds") if u.last_login else "-")
    console.print(table)


@app.command("set-role")
def set_role(email: str, role: Role) -> None:
    """Change a user's role (their sessions are revoked)."""
    user = run_with_container(lambda c: service.set_role(c.uow, c.security, cli_principal(), email, role))
    console.print(tr(f"✅ {user.email} is now {user.role.value}; their sessions were revoked.",
                     f"✅ {user.email} est maintenant {user.role.value} ; ses sessions ont été révoquées."))


@app.command("disable")
def disable(email: str) -> None:
    """Disable a user (their sessions are revoked)."""
    user = run_with_container(lambda c: service.disable_user(c.uow, c.security, cli_principal(), email))
    console.print(tr(f"✅ {user.email} is disabled.", f"✅ {user.email} est désactivé."))


@app.command("enable")
def enable(email: str) -> None:
    """Let a disabled user log in again."""
    user = run_with_container(lambda c: service.enable_user(c.uow, cli_principal(), email))
    console.print(tr(f"✅ {user.email} is enabled.", f"✅ {user.email} est réactivé."))


@app.command("reset-2fa")
def reset_2fa(email: str) -> None:
    """Turn off a user's two-factor authentication (lost authenticator); their sessions are revoked."""
    user = run_with_container(lambda c: service.reset_two_factor(c.uow, c.security, cli_principal(), email))
    console.print(tr(f"✅ Two-factor authentication of {user.email} is off; they log in with their password and "
                     f"can enroll again.",
                     f"✅ La double authentification de {user.email} est désactivée ; il se connecte avec son mot "
                     f"de passe et peut se réinscrire."))


@app.command("reset-password")
def reset_password(
    email: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Set a new password for a user (their sessions are revoked)."""
    password = _read_password(password_stdin)
    user = run_with_container(lambda c: service.reset_password(c.uow, c.security, cli_principal(), email, password))
    console.print(tr(f"✅ Password of {user.email} changed; their sessions were revoked.",
                     f"✅ Mot de passe de {user.email} changé ; ses sessions ont été révoquées."))


TagOption = Annotated[bool, typer.Option("--tag", help="TARGET is a tag: the grant covers every server carrying "
                                                        "it, now and later (a server's own row still wins)")]


@app.command("grant")
def grant(
    email: str, target: Annotated[str, typer.Argument(metavar="SERVER|TAG")],
    execute: Annotated[bool, typer.Option("--execute", help="may run actions there")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="may administer it")] = False,
    tag: TagOption = False,
) -> None:
    """Give a user read (and optionally execute/admin) permission on one server, or with --tag on every
    server carrying a tag (e.g. `chatops users grant ann@example.com web --tag --execute`)."""
    permission = ServerPermission(can_read=True, can_execute=execute or admin, can_admin=admin)

    async def go(c: object) -> None:
        from chatops_commander.bootstrap import Container

        assert isinstance(c, Container)
        user = await service.get_user(c.uow, cli_principal(), email)
        assert user.id is not None
        if tag:
            await service.set_tag_permission(c.uow, cli_principal(), user.id, target, permission)
        else:
            await service.set_permission(c.uow, cli_principal(), user.id, target, permission)

    run_with_container(go)
    verb = "administer" if admin else "run actions on" if execute else "read"
    verb_fr = "administrer" if admin else "agir sur" if execute else "consulter"
    what_en = f"every server tagged {target}" if tag else target
    what_fr = f"tous les serveurs étiquetés {target}" if tag else target
    console.print(tr(f"✅ {email} may now {verb} {what_en}.", f"✅ {email} peut maintenant {verb_fr} {what_fr}."))


@app.command("revoke")
def revoke(email: str, target: Annotated[str, typer.Argument(metavar="SERVER|TAG")], tag: TagOption = False) -> None:
    """Remove a user's permission row on one server (or with --tag, their grant on a tag)."""
    async def go(c: object) -> None:
        from chatops_commander.bootstrap import Container

        assert isinstance(c, Container)
        user = await service.get_user(c.uow, cli_principal(), email)
        assert user.id is not None
        if tag:
            await service.set_tag_permission(c.uow, cli_principal(), user.id, target, None)
        else:
            await service.set_permission(c.uow, cli_principal(), user.id, target, None)

    run_with_container(go)
    what_en = f"the tag {target}" if tag else target
    what_fr = f"l'étiquette {target}" if tag else target
    console.print(tr(f"✅ {email} has no permission on {what_en} any more.",
                     f"✅ {email} n'a plus de permission sur {what_fr}."))


@app.command("grants")
def grants(email: str) -> None:
    """A user's permissions: per server, then per tag."""
    async def go(c: object) -> tuple[list[tuple[str, str, ServerPermission]], str]:
        from chatops_commander.bootstrap import Container

        assert isinstance(c, Container)
        user = await service.get_user(c.uow, cli_principal(), email)
        assert user.id is not None
        rows: list[tuple[str, str, ServerPermission]] = [
            (tr("server", "serveur"), name, p) for _, name, p in
            await service.list_permissions(c.uow, cli_principal(), user.id)]
        rows += [(tr("tag", "étiquette"), name, p)
                 for name, p in await service.list_tag_permissions(c.uow, cli_principal(), user.id)]
        return rows, user.role.value

    rows, role = run_with_container(go)
    table = Table(title=f"{email} ({role})")
    for column in (tr("On", "Sur"), tr("Name", "Nom"), "read", "execute", "admin"):
        table.add_column(column)
    for kind, name, p in rows:
        table.add_row(kind, name, *("✓" if flag else "" for flag in (p.can_read, p.can_execute, p.can_admin)))
    console.print(table if rows else tr(f"{email} has no permission on any server or tag.",
                                        f"{email} n'a de permission sur aucun serveur ni étiquette."))


def announce_first_admin(settings: Settings) -> None:
    """On `chatops serve`: create the first admin if the database has no user, and print a
    generated password once, to the console only (never to the logs)."""
    from chatops_commander import bootstrap

    created = run_with_container(lambda c: bootstrap.ensure_first_admin(c, generate=True), settings)
    if created is None:
        return
    email, password = created
    if password is None:
        console.print(tr(f"✅ First admin [bold]{email}[/] created from CHATOPS_ADMIN_EMAIL/CHATOPS_ADMIN_PASSWORD.",
                         f"✅ Premier admin [bold]{email}[/] créé depuis CHATOPS_ADMIN_EMAIL/CHATOPS_ADMIN_PASSWORD."))
        return
    console.print(tr(
        f"First admin created — e-mail: [bold]{email}[/]  password: [bold]{password}[/]\n"
        "This password is shown once: store it now, then change it (POST /api/v1/auth/password).",
        f"Premier admin créé — e-mail : [bold]{email}[/]  mot de passe : [bold]{password}[/]\n"
        "Ce mot de passe n'est affiché qu'une fois : notez-le, puis changez-le (POST /api/v1/auth/password)."),
        highlight=False, soft_wrap=True)
