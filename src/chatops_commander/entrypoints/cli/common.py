"""Shared CLI plumbing: settings, running coroutines on the container, clear errors (never a trace)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console

from chatops_commander import bootstrap
from chatops_commander.domain.errors import DomainError
from chatops_commander.services.principal import Principal

if TYPE_CHECKING:
    from chatops_commander.config import Settings

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)


def language() -> str:
    import os

    return "fr" if os.environ.get("LANG", "").lower().startswith("fr") else "en"


def tr(en: str, fr: str) -> str:
    """The message in the user's language (LANG=fr… → French)."""
    return fr if language() == "fr" else en


def cli_principal() -> Principal:
    """The CLI acts as admin `cli:<os user>`: whoever can run it owns the data directory."""
    return Principal.cli(bootstrap.os_user())


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def settings_or_fail() -> Settings:
    from chatops_commander.config import load_settings

    try:
        return load_settings()
    except Exception as exc:  # pydantic ValidationError: name the variable
        fail(f"invalid configuration: {exc}")


def prepared_settings() -> Settings:
    """Settings with embedded secrets and the database migrated (blocking)."""
    from chatops_commander.config import ConfigError

    settings = settings_or_fail()
    try:
        return bootstrap.prepare_database(settings)
    except ConfigError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot prepare the data directory {settings.data_dir}: {exc}")


def run_with_container(fn: Callable[[bootstrap.Container], Awaitable[T]], settings: Settings | None = None) -> T:
    from chatops_commander.config import ConfigError

    settings = settings or prepared_settings()

    async def main() -> T:
        container = await bootstrap.build(settings)
        try:
            return await fn(container)
        finally:
            await container.aclose()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        fail(exc.localized(language()))
    except bootstrap.InventoryError as exc:
        fail("\n".join(exc.problems))
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
