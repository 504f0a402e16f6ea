"""Fan-out of chat events to the WebSocket connections of their owner.

One queue per connection; a slow client loses its oldest events rather than slowing a turn down.
With several API replicas, a relay (Redis pub/sub, `adapters/events/redis_relay.py`) carries each
event to the other replicas, which hand it to their own connections: an approval decided on one
replica reaches the requester's browser connected to another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

QUEUE_SIZE = 1000

Deliver = Callable[[str, dict[str, Any]], None]


class EventRelay(Protocol):
    """Carries events between replicas. `send` never blocks a turn; `start` hands remote events to `deliver`."""

    def send(self, user_id: str, event: dict[str, Any]) -> None: ...
    async def start(self, deliver: Deliver) -> None: ...
    async def close(self) -> None: ...


class ChatHub:
    def __init__(self, relay: EventRelay | None = None) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self.relay = relay

    def subscribe(self, user_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        queues = self._subscribers.get(user_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[user_id]

    def publish(self, user_id: str, event: dict[str, Any], *,
                skip: asyncio.Queue[dict[str, Any]] | None = None) -> None:
        """To this replica's connections of `user_id` (but `skip`), and through the relay to the others."""
        self.deliver(user_id, event, skip=skip)
        if self.relay is not None:
            self.relay.send(user_id, event)

    def deliver(self, user_id: str, event: dict[str, Any], *,
                skip: asyncio.Queue[dict[str, Any]] | None = None) -> None:
        """To this replica's connections only (what the relay calls with another replica's events)."""
        for queue in list(self._subscribers.get(user_id, ())):
            if queue is skip:
                continue
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    async def start(self) -> None:
        if self.relay is not None:
            await self.relay.start(self.deliver)

    async def close(self) -> None:
        if self.relay is not None:
            await self.relay.close()

    def connections(self) -> int:
        return sum(len(q) for q in self._subscribers.values())
