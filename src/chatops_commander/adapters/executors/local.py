"""LocalExecutor: runs a plan on this machine with `/bin/sh -c` (the embedded `localhost` server)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

from chatops_commander.adapters.executors.output import capture, failure, result
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports_execution import OnLine


class LocalExecutor:
    def __init__(self, shell: str = "/bin/sh", *, locale: str | None = "C") -> None:
        self.shell = shell
        self.env = {**os.environ, "LC_ALL": locale, "LANG": locale} if locale else None  # as SSH: parsed output

    async def run(self, server: Server, plan: CommandPlan, *, on_line: OnLine | None = None) -> RunResult:
        started = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                self.shell,
                "-c",
                plan.render(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                env=self.env,
            )
        except OSError as exc:
            return failure(server.name, HostOutcome.ERROR, f"cannot start the shell: {exc}", started)
        assert proc.stdout is not None
        assert proc.stderr is not None
        got = await capture(server.name, on_line, proc.stdout.read, proc.stderr.read, stop=lambda: _kill(proc),
                            wait=proc.wait, timeout_s=plan.timeout_s)
        if got.timed_out:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await proc.wait()
        return result(server.name, plan, started, got.out, got.err, exit_code=proc.returncode,
                      timed_out=got.timed_out, overflow=got.overflow)

    async def close(self) -> None:
        return None


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
