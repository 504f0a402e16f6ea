"""Chat events across replicas: two hubs, each with its Redis relay, on the real local Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatops_commander.adapters.events.redis_relay import RedisEventRelay
from chatops_commander.services.chat.hub import ChatHub

REDIS_URL = os.environ.get("CHATOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEADLINE_S = 5.0


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[ChatHub, ChatHub]]:
    prefix = f"chatops-test:{uuid.uuid4().hex[:8]}:"  # this test's channels only
    a, b = ChatHub(RedisEventRelay(REDIS_URL, prefix=prefix)), ChatHub(RedisEventRelay(REDIS_URL, prefix=prefix))
    await a.start()
    await b.start()
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def next_event(queue: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(queue.get(), timeout=DEADLINE_S)


async def test_an_event_published_on_one_replica_reaches_the_owners_connection_on_the_other(
    replicas: tuple[ChatHub, ChatHub],
) -> None:
    a, b = replicas
    on_a, on_b = a.subscribe("user-1"), b.subscribe("user-1")
    other_user = a.subscribe("user-2")
    b.publish("user-1", {"type": "approval_required", "state": "approved", "n": 1})
    assert await next_event(on_a) == {"type": "approval_required", "state": "approved", "n": 1}
    assert await next_event(on_b) == {"type": "approval_required", "state": "approved", "n": 1}
    a.publish("user-1", {"type": "message", "n": 2})
    assert await next_event(on_b) == {"type": "message", "n": 2}
    assert await next_event(on_a) == {"type": "message", "n": 2}
    assert b.relay is not None and isinstance(b.relay, RedisEventRelay)
    await b.relay.flush()
    assert on_a.empty() and on_b.empty() and other_user.empty()  # delivered once each, to its owner only


async def test_events_keep_their_order_across_replicas(replicas: tuple[ChatHub, ChatHub]) -> None:
    a, b = replicas
    queue = a.subscribe("user-9")
    for n in range(200):
        b.publish("user-9", {"type": "progress", "n": n})
    got = [(await next_event(queue))["n"] for _ in range(200)]
    assert got == list(range(200))


async def test_a_replica_whose_redis_is_unreachable_still_serves_its_own_connections() -> None:
    hub = ChatHub(RedisEventRelay("redis://127.0.0.1:1/0", prefix="chatops-test:down:", subscribe_timeout_s=0.3))
    await hub.start()  # logs a warning after its bounded wait; the server keeps going
    try:
        queue = hub.subscribe("user-1")
        hub.publish("user-1", {"type": "message"})
        assert queue.get_nowait() == {"type": "message"}
    finally:
        await hub.close()
