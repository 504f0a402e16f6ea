"""Chat events across API replicas over Redis pub/sub.

Each replica publishes the events of its turns on `chatops:chat:<user id>` as
`{"origin": <replica id>, "event": {...}}` and listens on `chatops:chat:*`; it hands what other
replicas published to its own WebSocket connections and ignores its own messages (they were
delivered locally already). Publishing goes through a bounded queue drained by one task, so a
slow or unreachable Redis never slows a chat turn: when the queue is full the oldest event is
dropped (and counted), as the per-connection queues do. A lost Redis connection is retried with
backoff; events published meanwhile by other replicas are lost (pub/sub keeps nothing), which is
why every reply is also in the REST answer and the conversation's history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from typing import Any

import structlog

from chatops_commander.services.chat.hub import Deliver

log = structlog.get_logger("chatops.events")

CHANNEL_PREFIX = "chatops:chat:"
OUTBOX_SIZE = 10_000


class RedisEventRelay:
    def __init__(self, url: str, *, prefix: str = CHANNEL_PREFIX, client: Any = None,
                 subscribe_timeout_s: float = 5.0) -> None:
        import redis.asyncio as aioredis

        self.prefix, self.subscribe_timeout_s = prefix, subscribe_timeout_s
        self.origin = secrets.token_hex(8)
        self._redis: Any = client or aioredis.from_url(url)
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self.dropped = 0

    def send(self, user_id: str, event: dict[str, Any]) -> None:
        if not self._tasks:
            return  # not started (or closed): this replica's connections already have the event
        if self._outbox.full():
            self._outbox.get_nowait()
            self._outbox.task_done()
            self.dropped += 1
        self._outbox.put_nowait((self.prefix + user_id, json.dumps({"origin": self.origin, "event": event})))

    async def start(self, deliver: Deliver) -> None:
        """Subscribe (waits until the subscription is active, so no event published after it is missed)."""
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(self._listen(deliver), name="chat-relay-listen"),
                       asyncio.create_task(self._publish(), name="chat-relay-publish")]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=self.subscribe_timeout_s)
        if not self._ready.is_set():
            log.warning("chat_relay_not_subscribed", timeout_s=self.subscribe_timeout_s,
                        detail="Redis did not answer; retrying in the background")

    async def _listen(self, deliver: Deliver) -> None:
        backoff = 0.2
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(self.prefix + "*")
                self._ready.set()
                backoff = 0.2
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    self._hand_over(message, deliver)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis gone: retry with backoff, never kill the server
                log.warning("chat_relay_listen_failed", error=type(exc).__name__, retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _hand_over(self, message: dict[str, Any], deliver: Deliver) -> None:
        channel = message.get("channel")
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            body = json.loads(message.get("data") or b"{}")
        except (ValueError, TypeError):
            return
        if not isinstance(body, dict) or body.get("origin") == self.origin or not isinstance(body.get("event"), dict):
            return
        deliver(channel[len(self.prefix):], body["event"])

    async def _publish(self) -> None:
        while True:
            channel, payload = await self._outbox.get()
            try:
                await self._redis.publish(channel, payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.dropped += 1
                log.warning("chat_relay_publish_failed", error=type(exc).__name__)
            finally:
                self._outbox.task_done()

    async def flush(self, timeout_s: float = 5.0) -> None:
        """Wait until every queued event was handed to Redis (shutdown, tests), at most `timeout_s`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._outbox.join(), timeout=timeout_s)

    async def close(self) -> None:
        if self._tasks:
            await self.flush(1.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self._redis.aclose()
