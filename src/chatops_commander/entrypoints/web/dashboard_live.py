"""The dashboard right after an action: `/events/fleet` (server-sent events) listens to the user's chat events
(the same hub as the WebSocket); a command result re-collects its hosts at once (one composite command per
host, through the collector) and tells the page to refresh its fleet — not up to a collection round later.

Also the per-server service states shown on the dashboard, from the latest stored samples.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from chatops_commander.entrypoints.web import routes
from chatops_commander.services import servers as server_service

router = APIRouter(include_in_schema=False)
KEEPALIVE_S = 15.0
COLLECT_TIMEOUT_S = 20.0
SERVICE_STATES = ("running", "stopped", "failed", "unknown")


def service_rows(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Servers that watch services, with each service's last known state (failed and stopped first)."""
    order = {"failed": 0, "stopped": 1, "unknown": 2, "running": 3}
    rows = []
    for item in items:
        services = item.get("services") or {}
        if not services:
            continue
        states = sorted(((name, state if state in SERVICE_STATES else "unknown") for name, state in services.items()),
                        key=lambda pair: (order[pair[1]], pair[0]))
        rows.append({"name": item["name"], "status": item["status"], "services": states})
    return sorted(rows, key=lambda r: (min(order[s] for _, s in r["services"]), r["name"]))


def _hosts(event: Mapping[str, Any]) -> list[str]:
    hosts = event.get("hosts")
    if isinstance(hosts, Mapping):
        return [str(h) for h in hosts]
    if isinstance(hosts, list):
        return [str(h.get("host") if isinstance(h, Mapping) else h) for h in hosts]
    return []


async def _collect_now(container: Any, principal: Any, names: list[str]) -> list[str]:
    """Re-collect the named servers the user may read (when this process runs the collector)."""
    monitor = getattr(container, "monitor", None)
    if monitor is None or not names:
        return []
    visible = {s.name: s for s in await server_service.list_servers(container.uow, principal)}
    targets = [visible[n] for n in dict.fromkeys(names) if n in visible]
    if not targets:
        return []
    try:
        async with asyncio.timeout(COLLECT_TIMEOUT_S):
            await asyncio.gather(*(monitor.collector.collect(s) for s in targets), return_exceptions=True)
    except TimeoutError:
        pass  # the page refreshes anyway; the next round finishes the job
    return [s.name for s in targets]


@router.get("/events/fleet")
async def fleet_events(request: Request) -> Response:
    principal = await routes._principal(request)
    if principal is None or principal.user_id is None:
        return Response(status_code=401)
    container = routes._container(request)
    hub = container.chat_hub
    user = str(principal.user_id)
    queue = hub.subscribe(user)
    stopping: asyncio.Event = getattr(request.app.state, "stopping", None) or asyncio.Event()

    async def stream() -> AsyncIterator[str]:
        stop = asyncio.ensure_future(stopping.wait())
        try:
            yield "retry: 5000\n: connected\n\n"
            while not await request.is_disconnected():
                item = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({item, stop}, timeout=KEEPALIVE_S, return_when=asyncio.FIRST_COMPLETED)
                if item not in done:
                    item.cancel()
                if stop in done:
                    return
                if item not in done:
                    yield ": keep-alive\n\n"
                    continue
                event = item.result()
                if event.get("type") != "result":
                    continue
                hosts = await _collect_now(container, principal, _hosts(event))
                payload = {"action": event.get("action"), "hosts": hosts, "ok": event.get("ok")}
                yield f"event: fleet\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
        finally:
            stop.cancel()
            hub.unsubscribe(user, queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
