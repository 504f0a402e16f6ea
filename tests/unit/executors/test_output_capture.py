"""Bounded capture: an overflow stops the command and is reported as such, never as a timeout."""

from __future__ import annotations

import asyncio

from chatops_commander.adapters.executors.output import CHUNK, DISCARD_LIMIT, capture


class NoisyProcess:
    """A command that writes without end until stopped, whose exit is reported (like asyncio's)
    only once every stream has been read to EOF."""

    def __init__(self) -> None:
        self.stopped = False
        self.eof = {"out": False, "err": False}
        self.left_after_stop = 3  # chunks already in the pipe when the kill lands
        self.exited = asyncio.Event()
        self.killed = asyncio.Event()

    async def read_out(self, n: int) -> bytes:
        await asyncio.sleep(0)
        if self.stopped:
            if self.left_after_stop:
                self.left_after_stop -= 1
                return b"y\n" * (CHUNK // 2)
            return self._eof("out")
        return b"y\n" * (CHUNK // 2)

    async def read_err(self, n: int) -> bytes:
        await self.killed.wait()
        return self._eof("err")

    def _eof(self, name: str) -> bytes:
        self.eof[name] = True
        if all(self.eof.values()):
            self.exited.set()
        return b""

    def stop(self) -> None:
        self.stopped = True
        self.killed.set()

    async def wait(self) -> None:
        await self.exited.wait()


async def test_an_overflow_drains_the_streams_and_is_not_reported_as_a_timeout() -> None:
    proc = NoisyProcess()
    got = await capture("h", None, proc.read_out, proc.read_err, stop=proc.stop, wait=proc.wait, timeout_s=5)
    assert got.overflow and not got.timed_out
    assert proc.eof == {"out": True, "err": True}
    assert got.out.truncated and got.out.total > DISCARD_LIMIT
    assert len(got.out.buf) == got.out.cap  # only the first bytes are kept


async def test_a_command_that_ends_in_time_is_neither_overflow_nor_timeout() -> None:
    async def once(_n: int, data: list[bytes] = [b"hello\n"]) -> bytes:
        return data.pop() if data else b""

    async def nothing(_n: int) -> bytes:
        return b""

    async def done() -> None:
        return None

    got = await capture("h", None, once, nothing, stop=lambda: None, wait=done, timeout_s=1)
    assert not got.overflow and not got.timed_out and got.out.text() == "hello\n"
