"""`GET /events/alerts`: alert events pushed to the dashboard over server-sent events, through a real uvicorn
server on loopback, filtered by what the user may read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn

from chatops_commander import bootstrap
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import EventKind
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import users as user_service
from tests.e2e.conftest import TEST_CLI, add_user, login
from tests.live_server import free_port

DEADLINE_S = 10.0


@pytest.fixture
async def base_url(container: bootstrap.Container) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container.settings, container=container), host="127.0.0.1",
                                           port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(DEADLINE_S):
        while not server.started:  # noqa: ASYNC110  (uvicorn exposes a flag, not an event)
            await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True  # open event streams must not hold the shutdown
        await task


async def next_event(lines: AsyncIterator[str]) -> dict[str, Any]:
    """The next `event: alert` block's data (comments and keep-alives skipped)."""
    kind = None
    async with asyncio.timeout(DEADLINE_S):
        async for line in lines:
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "alert":
                data: dict[str, Any] = json.loads(line[6:])
                return data
    raise AssertionError("the stream ended")


def alert(server: Server, n: int) -> Alert:
    return Alert(type=f"rule{n}", severity=Severity.CRITICAL, message=f"Disk {n} is full",
                 message_fr=f"Le disque {n} est plein", fingerprint=f"rules:{server.id}:{n}", server_id=server.id,
                 created_at=datetime(2026, 11, 23, 3, n, tzinfo=UTC))


async def test_a_viewer_gets_the_alert_events_of_the_servers_they_may_read_only(
    container: bootstrap.Container, base_url: str,
) -> None:
    async with container.uow() as uow:
        seen = await uow.servers.add(Server(name="seen-01", hostname="seen-01", ip_address="10.0.0.61"))
        hidden = await uow.servers.add(Server(name="hidden-01", hostname="hidden-01", ip_address="10.0.0.62"))
        await uow.commit()
    viewer = await add_user(container, "watcher@example.com", Role.VIEWER)
    assert viewer.id is not None
    await user_service.set_permission(container.uow, TEST_CLI, viewer.id, "seen-01", ServerPermission(can_read=True))
    async with httpx.AsyncClient(base_url=base_url, timeout=DEADLINE_S) as client:
        assert (await client.get("/events/alerts")).status_code == 401
        await login(client, viewer.email)  # the session cookie
        saved = await client.patch("/api/v1/auth/me", json={"language": "fr"},
                                   headers={"X-CSRF-Token": client.cookies["cc_csrf"]})
        assert saved.status_code == 200, saved.text
        # an EventSource sends no language of its own: the account's (fr) wins over the browser's
        async with client.stream("GET", "/events/alerts", headers={"Accept-Language": "en"}) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("retry: ")  # connected: the subscription is in place
            container.alert_hub(alert(hidden, 1), EventKind.FIRING, "hidden-01")
            container.alert_hub(alert(seen, 2), EventKind.FIRING, "seen-01")
            event = await next_event(lines)
    assert event["server"] == "seen-01" and event["event"] == "firing"
    assert event["alert"]["message"] == "Le disque 2 est plein" and event["alert"]["severity"] == "critical"
    async with asyncio.timeout(DEADLINE_S):  # the server notices the closed stream and unsubscribes
        while container.alert_hub.subscribers:  # noqa: ASYNC110  (polled with a deadline; no event to await)
            await asyncio.sleep(0.02)
