"""`chatops mcp --as EMAIL`: the MCP door over stdio, for desktop AI agents (docs/mcp.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from chatops_commander import bootstrap
from chatops_commander.entrypoints.cli.common import prepared_settings, run_with_container


def mcp(as_email: Annotated[str, typer.Option("--as", metavar="EMAIL",
                                              help="the user account the agent acts for")]) -> None:
    """Serve MCP over stdio for an AI agent acting as EMAIL (its role, rights and confirmations)."""
    settings = prepared_settings()

    async def main(container: bootstrap.Container) -> None:
        from chatops_commander.entrypoints.mcp.stdio import serve_stdio  # the MCP SDK loads only here

        await serve_stdio(container, as_email)

    run_with_container(main, settings)
