"""Rate limits over the `limits` library (moving window).

Storage: `memory://` by default (embedded mode, one process); a `redis://` URL shares the
counters between API replicas. Keys are namespaced: `<namespace>/<spec name>/<key>`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from chatops_commander.domain.errors import RateLimited


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


class RateLimiter:
    def __init__(self, storage_uri: str = "memory://", *, namespace: str = "chatops") -> None:
        options: dict[str, str] = {"key_prefix": "chatops-limits"} if storage_uri.startswith(
            ("redis://", "rediss://", "redis+unix://")) else {}
        self._storage = storage_from_string(storage_uri, **options)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._namespace = namespace

    def _ids(self, spec: RateLimitSpec, key: str) -> tuple[str, str, str]:
        return (self._namespace, spec.name, key)

    def hit(self, key: str, spec: RateLimitSpec) -> RateDecision:
        """Count one request for `key` (user id, e-mail, IP…) and say whether it is allowed."""
        item = spec.item
        allowed = self._limiter.hit(item, *self._ids(spec, key))
        return self._decision(allowed, item, spec, key)

    def peek(self, key: str, spec: RateLimitSpec) -> RateDecision:
        """Whether one more request would be allowed, without counting it."""
        item = spec.item
        return self._decision(self._limiter.test(item, *self._ids(spec, key)), item, spec, key)

    def clear(self, key: str, spec: RateLimitSpec) -> None:
        self._limiter.clear(spec.item, *self._ids(spec, key))

    def _decision(self, allowed: bool, item: RateLimitItem, spec: RateLimitSpec, key: str) -> RateDecision:
        stats = self._limiter.get_window_stats(item, *self._ids(spec, key))
        retry = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(allowed=allowed, retry_after_s=retry, remaining=max(0, stats.remaining))
