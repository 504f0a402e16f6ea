"""One server-sent-events stream for the web UI's live feeds (alerts, the fleet after an action)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse


def event_stream(request: Request, queue: asyncio.Queue[Any], frame: Callable[[Any], Awaitable[str | None]], *,
                 keepalive_s: float, on_close: Callable[[], None]) -> StreamingResponse:
    """Each item of `queue` becomes `frame(item)` (None: nothing sent); a keep-alive comment when idle for
    `keepalive_s`; the stream ends when the client leaves or the server stops (the browser reconnects elsewhere),
    and `on_close` unsubscribes the queue."""
    stopping: asyncio.Event = getattr(request.app.state, "stopping", None) or asyncio.Event()

    async def stream() -> AsyncIterator[str]:
        stop = asyncio.ensure_future(stopping.wait())
        try:
            yield "retry: 5000\n: connected\n\n"
            while not await request.is_disconnected():
                item = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({item, stop}, timeout=keepalive_s, return_when=asyncio.FIRST_COMPLETED)
                if item not in done:
                    item.cancel()
                if stop in done:
                    return
                if item not in done:
                    yield ": keep-alive\n\n"
                    continue
                text = await frame(item.result())
                if text is not None:
                    yield text
        finally:
            stop.cancel()
            on_close()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
