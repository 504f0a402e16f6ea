"""Whether the configured Redis answers (for `/readyz`): one short-lived connection per probe, so a
probe never shares a client with another event loop and never waits longer than `timeout_s`."""

from __future__ import annotations

import asyncio
import contextlib


class RedisProbe:
    def __init__(self, url: str, *, timeout_s: float = 0.5) -> None:
        self.url = url
        self.timeout_s = timeout_s

    async def ping(self) -> bool:
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.url, socket_connect_timeout=self.timeout_s, socket_timeout=self.timeout_s)
        try:
            async with asyncio.timeout(self.timeout_s * 2):
                return bool(await client.ping())
        except Exception:  # any failure (refused, timeout, auth, protocol) means "not usable now"
            return False
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()
