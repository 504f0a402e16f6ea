"""The Executor port: runs a `CommandPlan` on one server and returns its `RunResult`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chatops_commander.domain.execution import CommandPlan, RunResult
from chatops_commander.domain.servers import Server

OnLine = Callable[[str, str, str], None]
"""Streaming callback: (server name, "stdout" | "stderr", line without its newline)."""

HostKeyCallback = Callable[[Server, str], None]
"""Called with the server and the SHA256 fingerprint of a host key trusted on first use."""

OUTPUT_CAP = 1024 * 1024  # bytes kept per stream


class Executor(Protocol):
    async def run(self, server: Server, plan: CommandPlan, *, on_line: OnLine | None = None) -> RunResult:
        """Never raises for host-side trouble: every failure is a `RunResult` outcome."""
        ...

    async def close(self) -> None: ...
