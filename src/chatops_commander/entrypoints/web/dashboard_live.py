"""The dashboard right after an action: `/events/fleet` (server-sent events) listens to the user's chat events
(the same hub as the WebSocket); a command result re-collects its hosts at once (one composite command per
host, through the collector) and tells the page to refresh its fleet — not up to a collection round later.

Also the per-server service states shown on the dashboard, from the latest stored samples.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chatops_commander.domain.chat.records import CommandQuery
from chatops_commander.entrypoints.web import routes, sse
from chatops_commander.services import commands as commands_service
from chatops_commander.services import servers as server_service

router = APIRouter(include_in_schema=False)
KEEPALIVE_S = 15.0
COLLECT_TIMEOUT_S = 20.0  # the live stream waits this long for the hosts of a result
PAGE_COLLECT_TIMEOUT_S = 5.0  # a dashboard load waits at most this long; slower hosts finish in the background
_background: set[asyncio.Future[Any]] = set()
SERVICE_STATES = ("running", "stopped", "failed", "unknown")
RECENT = timedelta(minutes=10)  # commands this recent, newer than their server's last check, trigger a collection


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


async def _collect_now(container: Any, principal: Any, names: list[str], *,
                       timeout_s: float = COLLECT_TIMEOUT_S) -> list[str]:
    """Re-collect the named servers the user may read (when this process runs the collector)."""
    monitor = getattr(container, "monitor", None)
    if monitor is None or not names:
        return []
    visible = {s.name: s for s in await server_service.list_servers(container.uow, principal)}
    targets = [visible[n] for n in dict.fromkeys(names) if n in visible]
    if not targets:
        return []
    tasks = [asyncio.ensure_future(monitor.collector.collect(s)) for s in targets]
    for task in tasks:  # a slow host finishes in the background (never cancelled half-way through its write)
        _background.add(task)
        task.add_done_callback(_finished)
    await asyncio.wait(tasks, timeout=timeout_s)
    return [s.name for s in targets]


def _finished(task: asyncio.Future[Any]) -> None:
    _background.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a host's failure is the collector's to record, not an unhandled error


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


async def refresh_after_actions(container: Any, principal: Any, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Servers that ran a command (seen by this user) after their last check are collected now, so a dashboard
    opened right after an action shows its effect. Returns the servers collected (none: nothing newer)."""
    if getattr(container, "monitor", None) is None or not items:
        return []
    checked = {item["name"]: _when(item.get("last_check")) for item in items}
    uow: Any = container.uow  # the SQL unit of work also serves the chat repositories
    records, _ = await commands_service.list_commands(
        uow, principal, CommandQuery(since=datetime.now(UTC) - RECENT, limit=100))
    stale: list[str] = []
    for record in records:
        name = record.server_name
        if not name or name not in checked or (record.outcome or "").startswith("refused"):
            continue
        done = _when(record.finished_at) or _when(record.executed_at)
        last = checked[name]
        if done is not None and (last is None or done > last):
            stale.append(name)
    return await _collect_now(container, principal, stale, timeout_s=PAGE_COLLECT_TIMEOUT_S)


@router.get("/events/fleet")
async def fleet_events(request: Request) -> Response:
    principal = await routes._principal(request)
    if principal is None or principal.user_id is None:
        return Response(status_code=401)
    container = routes._container(request)
    hub = container.chat_hub
    user = str(principal.user_id)
    queue = hub.subscribe(user)
    async def frame(event: dict[str, Any]) -> str | None:
        if event.get("type") != "result":
            return None
        hosts = await _collect_now(container, principal, _hosts(event))
        payload = {"action": event.get("action"), "hosts": hosts, "ok": event.get("ok")}
        return f"event: fleet\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

    return sse.event_stream(request, queue, frame, keepalive_s=KEEPALIVE_S,
                            on_close=lambda: hub.unsubscribe(user, queue))
