"""What the fake chat servers (Slack, Mattermost, Teams) share: serving an aiohttp app on loopback, and waking the
test the moment a server records something (a post, an ack) instead of polling on an interval. `SocketServer` is
the lifecycle of the two that hold one WebSocket to the bot (Slack's Socket Mode, Mattermost's event socket)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


async def serve_loopback(app: web.Application, *, tls: Any = None, quiet: bool = False) -> tuple[web.AppRunner, int]:
    """Serves `app` on 127.0.0.1 on a free port (HTTPS with an `ssl.SSLContext` as `tls`): (its runner, the port).
    `quiet` leaves out aiohttp's access log."""
    runner = web.AppRunner(app, access_log=None) if quiet else web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    return runner, int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]


class Changes:
    """A fake server calls `notify()` whenever it records something; `until()` waits for a condition on what it
    recorded, with a deadline. `notify()` may come from another thread (the Teams fake runs its own event loop):
    each waiter is woken on its own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def until(self, done: Callable[[], bool], timeout_s: float, what: Callable[[], str]) -> None:
        """Returns once `done()` is true; fails with `what()` after `timeout_s`. `done()` is checked again at least
        every half second, for what changes without a `notify()` (a closed WebSocket)."""
        deadline = time.monotonic() + timeout_s
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(waiter)
        try:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(what())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter[1].wait(), timeout=min(left, 0.5))
                waiter[1].clear()
        finally:
            with self._lock:
                self._waiters.discard(waiter)


@dataclass
class SocketServer:
    """A fake server on loopback, with the WebSocket the bot opened to it: `start()` serves the routes `routes()`
    adds, `stop()` closes the WebSocket and the server."""

    port: int = 0
    _ws: web.WebSocketResponse | None = None
    _runner: web.AppRunner | None = None
    _changes: Changes = field(default_factory=Changes)  # notified on what it records: posts, acks, connections

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self.routes(app)
        self._runner, self.port = await serve_loopback(app)

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
