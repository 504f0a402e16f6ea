"""Collector locks for scale-out: exactly one process collects.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated connection in
  autocommit mode (never idle in a transaction). The lock lives as long as that connection: if the process
  dies, PostgreSQL frees it and a standby takes over at its next try.
- Redis: `SET key token NX PX ttl`, renewed by the holder (a compare-and-expire script) and released with a
  compare-and-delete script, so a process never extends or frees a lock it lost.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = structlog.get_logger("chatops.monitoring")

LOCK_NAME = "chatops:collector"


def advisory_key(name: str = LOCK_NAME) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock(bigint)`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresAdvisoryLock:
    def __init__(self, engine: AsyncEngine, name: str = LOCK_NAME, *, check_every_s: float = 5.0) -> None:
        self.engine, self.key, self.check_every_s = engine, advisory_key(name), check_every_s
        self._conn: AsyncConnection | None = None
        self._checked = 0.0

    async def acquire(self) -> bool:
        if self._conn is not None:
            return await self.held()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar())
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn, self._checked = conn, time.monotonic()
        return True

    async def held(self) -> bool:
        if self._conn is None:
            return False
        if time.monotonic() - self._checked < self.check_every_s:
            return True
        try:  # the lock lives as long as the connection: check that it is still there
            await self._conn.execute(text("SELECT 1"))
            self._checked = time.monotonic()
            return True
        except Exception as exc:
            log.warning("collector_lock_lost", backend="postgresql", error=f"{type(exc).__name__}: {exc}")
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        finally:
            await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # already broken
                await conn.invalidate()


_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisLock:
    def __init__(self, url: str, name: str = LOCK_NAME, *, ttl_s: float = 30.0, renew_every_s: float | None = None,
                 client: Any = None) -> None:
        import redis.asyncio as aioredis

        self.name, self.ttl_ms = name, int(ttl_s * 1000)
        self.renew_every_s = renew_every_s if renew_every_s is not None else ttl_s / 3
        self._redis: Any = client or aioredis.from_url(url)
        self._token = secrets.token_hex(16)
        self._held = False
        self._renewed = 0.0

    async def acquire(self) -> bool:
        if self._held:
            return await self.held()
        got = await self._redis.set(self.name, self._token, nx=True, px=self.ttl_ms)
        self._held, self._renewed = bool(got), time.monotonic()
        return self._held

    async def held(self) -> bool:
        if not self._held:
            return False
        if time.monotonic() - self._renewed < self.renew_every_s:
            return True
        renewed = await self._redis.eval(_RENEW, 1, self.name, self._token, self.ttl_ms)
        self._held, self._renewed = bool(renewed), time.monotonic()
        if not self._held:
            log.warning("collector_lock_lost", backend="redis")
        return self._held

    async def release(self) -> None:
        if self._held:
            self._held = False
            await self._redis.eval(_RELEASE, 1, self.name, self._token)

    async def close(self) -> None:
        await self._redis.aclose()
