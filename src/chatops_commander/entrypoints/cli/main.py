"""`chatops`: the command-line entry point (Typer + Rich)."""

from __future__ import annotations

import json
from types import FrameType
from typing import Annotated

import typer

from chatops_commander import bootstrap
from chatops_commander.entrypoints.cli import actions, nlu, servers
from chatops_commander.entrypoints.cli import alerts as alerts_cli
from chatops_commander.entrypoints.cli import audit as audit_cli
from chatops_commander.entrypoints.cli import bots as bots_cli
from chatops_commander.entrypoints.cli import history as history_cli
from chatops_commander.entrypoints.cli import keys as keys_cli
from chatops_commander.entrypoints.cli import mcp as mcp_cli
from chatops_commander.entrypoints.cli import users as users_cli
from chatops_commander.entrypoints.cli.common import console, fail, prepared_settings, settings_or_fail

SHUTDOWN_GRACE_S = 10  # seconds a stop waits for in-flight requests before closing the rest

app = typer.Typer(name="chatops", help="ChatOps Commander — talk to your infrastructure.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="Secrets and keys.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(servers.app, name="servers")
app.add_typer(users_cli.app, name="users")
app.add_typer(audit_cli.app, name="audit")
keys_app.command("rotate")(keys_cli.rotate)
app.add_typer(nlu.app, name="nlu")
app.command("parse")(nlu.parse)
app.add_typer(actions.actions_app, name="actions")
app.add_typer(alerts_cli.app, name="alerts")
app.command("run")(actions.run)
app.command("history")(history_cli.history)
app.command("exec", context_settings={"ignore_unknown_options": True})(actions.exec_)
app.command("mcp")(mcp_cli.mcp)
app.add_typer(bots_cli.app, name="bots")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
) -> None:
    """Start the web UI and API (embedded mode upgrades its database first)."""
    import uvicorn

    from chatops_commander.config import ConfigError, ensure_embedded_secrets
    from chatops_commander.entrypoints.api.app import create_app
    from chatops_commander.entrypoints.logging import configure_logging

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings_or_fail()
    if settings.is_embedded:
        settings = prepared_settings()
    else:
        try:
            settings = ensure_embedded_secrets(settings)
        except ConfigError as exc:
            fail(str(exc))
        if bootstrap.database_revision(settings) != bootstrap.latest_revision():
            fail("the database is not at the latest revision: run `chatops db upgrade` first.")
    settings = settings.model_copy(update=overrides)
    configure_logging(level=settings.log_level, json=settings.log_json, redactor=bootstrap.log_redactor(settings))
    users_cli.announce_first_admin(settings)
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"ChatOps Commander is starting on [bold cyan]{url}[/] (API docs: {url}/api/docs)")
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None,
                                           access_log=False, proxy_headers=False, ws="websockets-sansio",
                                           timeout_graceful_shutdown=SHUTDOWN_GRACE_S))
    handle_exit = server.handle_exit

    def stop(sig: int, frame: FrameType | None) -> None:
        app.state.stopping.set()  # event streams end now rather than after the grace period
        handle_exit(sig, frame)

    server.handle_exit = stop  # type: ignore[method-assign]
    server.run()


@config_app.command("show")
def config_show(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Print the effective settings, secrets masked."""
    values = settings_or_fail().masked()
    if as_json:
        console.print_json(json.dumps(values, default=str))
        return
    for key, value in values.items():
        console.print(f"[bold]{key:>26}[/]  {value}", highlight=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest revision."""
    settings = prepared_settings()
    console.print(f"✅ Database at revision {bootstrap.database_revision(settings)}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the latest one."""
    settings = settings_or_fail()
    current, head = bootstrap.database_revision(settings), bootstrap.latest_revision()
    state = "up to date" if current == head else "needs `chatops db upgrade`"
    console.print(f"current: {current or '<empty>'}  head: {head}  ({state})")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random 256-bit secret (for CHATOPS_JWT_SECRET or CHATOPS_ENCRYPTION_KEY)."""
    import base64
    import secrets

    console.print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))
