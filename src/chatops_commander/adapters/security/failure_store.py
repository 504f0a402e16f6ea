"""Where failed-login counters live (see `domain.security.login_throttle`).

`memory://` (embedded mode, one process) or Redis (shared by every API replica: a hash per key with
the count and the time of the latest failure, expiring `forget_after_s` after it). Like the rate
limits, an unreachable Redis never fails a login: the counters fall back to this process's memory,
with one warning per outage and `on_fallback` called for each operation (a Prometheus counter),
and Redis is tried again after `retry_s`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import structlog

from chatops_commander.adapters.security.rate_limit import REDIS_SCHEMES
from chatops_commander.adapters.security.store_outage import ReportsOutage, StoreOutage
from chatops_commander.domain.security.login_throttle import FORGET_AFTER_S, Failures

log = structlog.get_logger("chatops.security")
T = TypeVar("T")
PREFIX = "chatops-login-failures:"


class MemoryFailures:
    def __init__(self) -> None:
        self._items: dict[str, Failures] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        with self._lock:
            found = self._items.get(key)
            if found is None or found.last_at is None or now - found.last_at >= forget_after_s:
                self._items.pop(key, None)
                return Failures()
            return found

    def add(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        with self._lock:
            found = self._items.get(key)
            if found is None or found.last_at is None or now - found.last_at >= forget_after_s:
                found = Failures()
            updated = Failures(count=found.count + 1, last_at=now)
            self._items[key] = updated
            if len(self._items) > 100_000:  # bounded: drop what is forgotten anyway
                self._items = {k: v for k, v in self._items.items()
                               if v.last_at is not None and now - v.last_at < forget_after_s}
            return updated

    def clear(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class RedisFailures:
    def __init__(self, url: str, *, timeout_s: float = 0.5) -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        self.errors: tuple[type[Exception], ...] = (redis.exceptions.RedisError, OSError)

    def get(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        found = self._redis.hgetall(PREFIX + key)
        if not found:
            return Failures()
        return Failures(count=int(found.get(b"count", 0)), last_at=float(found.get(b"last_at", now)))

    def add(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        name = PREFIX + key
        pipe = self._redis.pipeline(transaction=True)
        pipe.hincrby(name, "count", 1)
        pipe.hset(name, "last_at", repr(now))
        pipe.expire(name, max(1, int(forget_after_s)))
        count, _, _ = pipe.execute()
        return Failures(count=int(count), last_at=now)

    def clear(self, key: str) -> None:
        self._redis.delete(PREFIX + key)


class FailureCounters(ReportsOutage):
    """The store the login service uses: Redis when configured (falling back to memory), else memory."""

    def __init__(self, storage_uri: str = "memory://", *, retry_s: float = 5.0,
                 on_fallback: Callable[[str], None] | None = None) -> None:
        self._local = MemoryFailures()
        self._shared = RedisFailures(storage_uri) if storage_uri.startswith(REDIS_SCHEMES) else None
        self.outage = StoreOutage(errors=self._shared.errors if self._shared else (), what="login counters",
                                  event="login_failure_store", retry_s=retry_s, on_fallback=on_fallback,
                                  detail="counting failed logins per process until Redis answers again")

    def _run(self, shared: Callable[[RedisFailures], T], local: Callable[[MemoryFailures], T]) -> T:
        if self._shared is None:
            return local(self._local)
        store = self._shared
        return self.outage.run(lambda: shared(store), lambda: local(self._local), "login_failures")

    def get(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        return self._run(lambda s: s.get(key, now, forget_after_s), lambda m: m.get(key, now, forget_after_s))

    def add(self, key: str, now: float, forget_after_s: float = FORGET_AFTER_S) -> Failures:
        return self._run(lambda s: s.add(key, now, forget_after_s), lambda m: m.add(key, now, forget_after_s))

    def clear(self, key: str) -> None:
        self._run(lambda s: s.clear(key), lambda m: m.clear(key))
