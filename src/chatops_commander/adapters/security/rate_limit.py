"""Rate limits over the `limits` library (moving window).

Storage: `memory://` by default (embedded mode, one process); a `redis://` URL shares the
counters between API replicas. Keys are namespaced: `<namespace>/<spec name>/<key>`.

Redis is optional by design, so an unreachable Redis never fails a request: the limiter falls back
to per-process counters (the same limits, counted by this replica alone), logs one warning per
outage, reports each fallback decision to `on_fallback` (a Prometheus counter) and tries Redis
again after `retry_s`. Redis calls time out after `timeout_s`, so a silent network never holds a request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from chatops_commander.adapters.security.store_outage import ReportsOutage, StoreOutage
from chatops_commander.domain.errors import RateLimited

log = structlog.get_logger("chatops.security")
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


@dataclass(frozen=True)
class RateLimitSpec:
    name: str  # "api", "commands", "login_account", "login_ip"
    limit: str  # limits notation: "100/15 minutes"

    @property
    def item(self) -> RateLimitItem:
        return parse(self.limit)


API_PER_USER = RateLimitSpec("api", "100/15 minutes")
COMMANDS_PER_USER = RateLimitSpec("commands", "10/minute")
LOGIN_PER_ACCOUNT = RateLimitSpec("login_account", "5/15 minutes")
LOGIN_PER_IP = RateLimitSpec("login_ip", "5/15 minutes")


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int  # 0 when allowed; else the value for `Retry-After`
    remaining: int

    def raise_if_limited(self) -> None:
        if not self.allowed:
            raise RateLimited(
                f"Too many requests; try again in {self.retry_after_s} seconds.",
                message_fr=f"Trop de requêtes ; réessayez dans {self.retry_after_s} secondes.",
                retry_after=self.retry_after_s)


class RateLimiter(ReportsOutage):
    def __init__(self, storage_uri: str = "memory://", *, namespace: str = "chatops", timeout_s: float = 0.5,
                 retry_s: float = 5.0, on_fallback: Callable[[str], None] | None = None) -> None:
        shared = storage_uri.startswith(REDIS_SCHEMES)
        options: dict[str, float | str | bool] = {"key_prefix": "chatops-limits", "socket_connect_timeout": timeout_s,
                                      "socket_timeout": timeout_s} if shared else {}
        storage = storage_from_string(storage_uri, **options)
        assert isinstance(storage, Storage)  # the synchronous API (limits.storage, not limits.aio)
        self._limiter = MovingWindowRateLimiter(storage)
        self._local = MovingWindowRateLimiter(MemoryStorage()) if shared else self._limiter
        errors = storage.base_exceptions if shared else ()
        self._namespace = namespace
        self.outage = StoreOutage(errors=errors if isinstance(errors, tuple) else (errors,), what="rate limits",
                                  event="rate_limit_store", retry_s=retry_s, on_fallback=on_fallback,
                                  detail="falling back to per-process rate limits until Redis answers again")

    @property
    def shared(self) -> bool:
        """Whether the counters are meant to be shared between replicas (a Redis store)."""
        return self._local is not self._limiter

    def _ids(self, spec: RateLimitSpec, key: str) -> tuple[str, str, str]:
        return (self._namespace, spec.name, key)

    def _run(self, spec: RateLimitSpec, call: Callable[[MovingWindowRateLimiter], RateDecision]) -> RateDecision:
        if not self.shared:
            return call(self._local)
        return self.outage.run(lambda: call(self._limiter), lambda: call(self._local), spec.name)

    def hit(self, key: str, spec: RateLimitSpec) -> RateDecision:
        """Count one request for `key` (user id, e-mail, IP…) and say whether it is allowed."""
        def call(limiter: MovingWindowRateLimiter) -> RateDecision:
            item = spec.item
            allowed = limiter.hit(item, *self._ids(spec, key))
            return self._decision(limiter, allowed, item, spec, key)
        return self._run(spec, call)

    def peek(self, key: str, spec: RateLimitSpec) -> RateDecision:
        """Whether one more request would be allowed, without counting it."""
        def call(limiter: MovingWindowRateLimiter) -> RateDecision:
            item = spec.item
            return self._decision(limiter, limiter.test(item, *self._ids(spec, key)), item, spec, key)
        return self._run(spec, call)

    def clear(self, key: str, spec: RateLimitSpec) -> None:
        def call(limiter: MovingWindowRateLimiter) -> RateDecision:
            limiter.clear(spec.item, *self._ids(spec, key))
            return RateDecision(allowed=True, retry_after_s=0, remaining=0)
        self._run(spec, call)

    def _decision(self, limiter: MovingWindowRateLimiter, allowed: bool, item: RateLimitItem, spec: RateLimitSpec,
                  key: str) -> RateDecision:
        stats = limiter.get_window_stats(item, *self._ids(spec, key))
        retry = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(allowed=allowed, retry_after_s=retry, remaining=max(0, stats.remaining))
