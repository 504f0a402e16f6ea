"""LocalExecutor: runs a plan on this machine with `/bin/sh -c` (the embedded `localhost` server)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

from chatops_commander.adapters.executors.output import DISCARD_LIMIT, StreamCapture, failure, pump, result
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports_execution import OnLine


class LocalExecutor:
    def __init__(self, shell: str = "/bin/sh") -> None:
        self.shell = shell

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
            )
        except OSError as exc:
            return failure(server.name, HostOutcome.ERROR, f"cannot start the shell: {exc}", started)
        assert proc.stdout is not None
        assert proc.stderr is not None
        out = StreamCapture(server.name, "stdout", on_line)
        err = StreamCapture(server.name, "stderr", on_line)

        def too_much() -> bool:
            return out.total + err.total > DISCARD_LIMIT

        timed_out = overflow = False

        def stop() -> None:
            _kill(proc)

        try:
            async with asyncio.timeout(plan.timeout_s):
                await asyncio.gather(
                    pump(proc.stdout.read, out, too_much, stop), pump(proc.stderr.read, err, too_much, stop)
                )
                overflow = too_much()
                await proc.wait()
        except TimeoutError:
            timed_out = True
            _kill(proc)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await proc.wait()
        except asyncio.CancelledError:
            _kill(proc)
            raise
        return result(
            server.name,
            plan,
            started,
            out,
            err,
            exit_code=proc.returncode,
            timed_out=timed_out,
            overflow=overflow,
        )

    async def close(self) -> None:
        return None


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
