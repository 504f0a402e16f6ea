"""The bots' run loop: a platform that fails is retried with backoff; stopping ends it cleanly."""

from __future__ import annotations

import asyncio

from chatops_commander.bootstrap_platforms import keep_running


class Flaky:
    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures, self.runs, self.closed = failures, 0, 0
        self.serving = asyncio.Event()
        self._closed = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise ConnectionError("platform outage")
        self._closed.clear()
        self.serving.set()
        await self._closed.wait()

    async def close(self) -> None:
        self.closed += 1
        self._closed.set()


async def test_a_failing_platform_is_retried_until_it_serves_and_stop_closes_it() -> None:
    bot = Flaky(failures=3)
    stop = asyncio.Event()
    task = asyncio.create_task(keep_running(bot, stop, first_s=0.001, max_s=0.004))
    await asyncio.wait_for(bot.serving.wait(), timeout=10)
    assert bot.runs == 4
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert bot.closed >= 1 and task.exception() is None
