"""`chatops users add|list|set-role|disable|reset-password|grant|revoke` (acting as admin `cli:<os user>`)."""

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


@app.command("grant")
def grant(
    email: str, server: str,
    execute: Annotated[bool, typer.Option("--execute", help="may run actions there")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="may administer it")] = False,
) -> None:
    """Give a user read (and optionally execute/admin) permission on one server."""
    async def go(c: object) -> None:
        from chatops_commander.bootstrap import Container

        assert isinstance(c, Container)
        user = await service.get_user(c.uow, cli_principal(), email)
        assert user.id is not None
        await service.set_permission(c.uow, cli_principal(), user.id, server,
                                     ServerPermission(can_read=True, can_execute=execute or admin, can_admin=admin))

    run_with_container(go)
    verb = "administer" if admin else "run actions on" if execute else "read"
    console.print(tr(f"✅ {email} may now {verb} {server}.",
                     f"✅ {email} peut maintenant {'administrer' if admin else 'agir sur' if execute else 'consulter'} "
                     f"{server}."))


@app.command("revoke")
def revoke(email: str, server: str) -> None:
    """Remove a user's permission row on one server."""
    async def go(c: object) -> None:
        from chatops_commander.bootstrap import Container

        assert isinstance(c, Container)
        user = await service.get_user(c.uow, cli_principal(), email)
        assert user.id is not None
        await service.set_permission(c.uow, cli_principal(), user.id, server, None)

    run_with_container(go)
    console.print(tr(f"✅ {email} has no permission on {server} any more.",
                     f"✅ {email} n'a plus de permission sur {server}."))


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
