"""Bounded output capture shared by the executors: cap per stream, line streaming, lossless decoding."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.services.ports_execution import OUTPUT_CAP, OnLine

DISCARD_LIMIT = 8 * OUTPUT_CAP  # past this much output in total we stop the command
CHUNK = 65536


class StreamCapture:
    """Keeps the first `cap` bytes, counts the rest, and emits complete lines to `on_line`."""

    def __init__(self, host: str, name: str, on_line: OnLine | None, cap: int = OUTPUT_CAP) -> None:
        self.host, self.name, self.on_line, self.cap = host, name, on_line, cap
        self.buf = bytearray()
        self.total = 0
        self._pending = bytearray()

    @property
    def truncated(self) -> bool:
        return self.total > self.cap

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.cap - len(self.buf)
        if room > 0:
            self.buf += chunk[:room]
        if self.on_line is not None and len(self._pending) < self.cap:
            self._pending += chunk
            *lines, rest = self._pending.split(b"\n")
            for line in lines:
                self.on_line(self.host, self.name, line.decode("utf-8", "replace"))
            self._pending = bytearray(rest)

    def finish(self) -> None:
        if self.on_line is not None and self._pending:
            self.on_line(self.host, self.name, self._pending.decode("utf-8", "replace"))
            self._pending = bytearray()

    def text(self) -> str:
        return self.buf.decode("utf-8", "replace")


async def pump(
    read: Callable[[int], Awaitable[bytes]],
    cap: StreamCapture,
    too_much: Callable[[], bool],
    stop: Callable[[], None],
) -> None:
    """Read until EOF; past `DISCARD_LIMIT` of combined output, `stop()` the command and drain to EOF.

    Draining matters: a stream left unread stays paused with data buffered, never reports EOF, and
    the process's exit is only reported once every stream has closed (asyncio), so `wait()` would
    hang until the timeout and an overflow would be reported as a timeout.
    """
    stopped = False
    while True:
        chunk = await read(CHUNK)
        if not chunk:
            break
        if stopped:
            continue  # discard what was written before the stop, until EOF
        cap.feed(chunk)
        if too_much():
            stop()
            stopped = True
    cap.finish()


@dataclass
class Captured:
    out: StreamCapture
    err: StreamCapture
    timed_out: bool = False
    overflow: bool = False


async def capture(
    host: str, on_line: OnLine | None, read_out: Callable[[int], Awaitable[bytes]],
    read_err: Callable[[int], Awaitable[bytes]], *, stop: Callable[[], None], wait: Callable[[], Awaitable[object]],
    timeout_s: float,
) -> Captured:
    """Read both streams of a running command within `timeout_s`, then wait for it to end.

    Past `DISCARD_LIMIT` of combined output the command is stopped (`overflow`); on timeout it is
    stopped too (`timed_out`); on cancellation it is stopped and the cancellation goes on.
    """
    got = Captured(StreamCapture(host, "stdout", on_line), StreamCapture(host, "stderr", on_line))

    def too_much() -> bool:
        if got.out.total + got.err.total > DISCARD_LIMIT:
            got.overflow = True
        return got.overflow

    try:
        async with asyncio.timeout(timeout_s):
            await asyncio.gather(pump(read_out, got.out, too_much, stop), pump(read_err, got.err, too_much, stop))
            await wait()
    except TimeoutError:
        got.timed_out = not got.overflow  # stopped for its output; a slow end to the drain is not a timeout
        stop()
    except asyncio.CancelledError:
        stop()
        raise
    return got


def result(
    host: str,
    plan: CommandPlan,
    started: float,
    out: StreamCapture,
    err: StreamCapture,
    *,
    exit_code: int | None,
    timed_out: bool = False,
    overflow: bool = False,
) -> RunResult:
    ms = int((time.monotonic() - started) * 1000)
    if timed_out:
        outcome, message = (
            HostOutcome.TIMED_OUT,
            (
                f"no answer within {plan.timeout_s:g} s; I stopped the command / "
                f"pas de réponse en {plan.timeout_s:g} s ; j'ai arrêté la commande"
            ),
        )
    elif overflow:
        outcome, message = (
            HostOutcome.FAILED,
            (
                "the command produced too much output; I kept the first 1 MiB and stopped it / "
                "la commande produisait trop de sortie ; j'ai gardé le premier Mio et je l'ai arrêtée"
            ),
        )
    elif exit_code in plan.ok_exit_codes:
        outcome, message = HostOutcome.OK, ""
    else:
        outcome, message = HostOutcome.FAILED, f"exit code {exit_code} / code de sortie {exit_code}"
    return RunResult(
        host=host,
        outcome=outcome,
        exit_code=exit_code,
        stdout=out.text(),
        stderr=err.text(),
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        duration_ms=ms,
        message=message,
    )


def failure(host: str, outcome: HostOutcome, message: str, started: float) -> RunResult:
    return RunResult(host=host, outcome=outcome, message=message, duration_ms=int((time.monotonic() - started) * 1000))
