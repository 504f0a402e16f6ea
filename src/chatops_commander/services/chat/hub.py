"""In-process fan-out of chat events to the WebSocket connections of their owner.

One queue per connection; a slow client loses its oldest events rather than slowing a turn down.
(Across API replicas the same interface sits on Redis pub/sub; not wired yet.)
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

QUEUE_SIZE = 1000


class ChatHub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

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
        for queue in list(self._subscribers.get(user_id, ())):
            if queue is skip:
                continue
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def connections(self) -> int:
        return sum(len(q) for q in self._subscribers.values())
