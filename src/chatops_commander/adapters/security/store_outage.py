"""A shared store (Redis) that may be down: try it, and while it does not answer use the per-process fallback.

One mechanism for the rate limits and the failed-login counters: after an error the shared store is left alone
for `retry_s`, one warning is logged per outage and one line when it answers again, `degraded_reason` says why
the counters are per process meanwhile, and `on_fallback(label)` counts each decision taken locally (a metric).
A store that owns one (`self.outage`) shows both through `ReportsOutage`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import structlog

log = structlog.get_logger("chatops.security")
T = TypeVar("T")


class StoreOutage:
    def __init__(self, *, errors: tuple[type[Exception], ...], what: str, event: str, detail: str,
                 retry_s: float = 5.0, on_fallback: Callable[[str], None] | None = None) -> None:
        self.errors = errors
        self._what, self._event, self._detail = what, event, detail  # "rate limits", "rate_limit_store", ...
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic: while in the future, the shared store is not tried
        self.degraded_reason: str | None = None  # why the counters are per process, while they are
        self.on_fallback = on_fallback

    def run(self, shared: Callable[[], T], local: Callable[[], T], label: str) -> T:
        """`shared()` when the store is believed up and answers; otherwise `local()`, counted under `label`."""
        if time.monotonic() >= self._down_until:
            try:
                result = shared()
            except self.errors as exc:
                self._outage(exc)
            else:
                if self.degraded_reason is not None:
                    with self._lock:
                        self.degraded_reason = None
                    log.warning(f"{self._event}_recovered", detail=f"Redis answers again: {self._what} are shared")
                return result
        if self.on_fallback is not None:
            self.on_fallback(label)
        return local()

    def _outage(self, exc: Exception) -> None:
        with self._lock:
            first = self.degraded_reason is None
            self.degraded_reason = f"Redis unreachable ({type(exc).__name__}): {self._what} are per process"
            self._down_until = time.monotonic() + self._retry_s
        if first:
            log.warning(f"{self._event}_unreachable", error=type(exc).__name__, retry_in_s=self._retry_s,
                        detail=self._detail)


class ReportsOutage:
    """For a store that owns a `StoreOutage` as `self.outage`: its `degraded_reason` and `on_fallback`, as its own."""

    outage: StoreOutage

    @property
    def degraded_reason(self) -> str | None:
        """Why the counters are per process, while they are (Redis configured but not answering)."""
        return self.outage.degraded_reason

    @property
    def on_fallback(self) -> Callable[[str], None] | None:
        return self.outage.on_fallback

    @on_fallback.setter
    def on_fallback(self, callback: Callable[[str], None] | None) -> None:
        self.outage.on_fallback = callback
