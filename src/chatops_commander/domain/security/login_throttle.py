"""Login throttling: failed attempts only, growing delays instead of a fixed lock.

Three counters see each failed login (wrong password, unknown e-mail, wrong second factor):

* the (account, address) pair — the guesser at one place: a few free failures, then the wait
  doubles after each failure (1 s, 2 s, 4 s, … up to `max_s`);
* the account, from every address — a distributed guesser: more free failures and a short cap,
  so that the people on call are never kept out for long by someone else's guesses;
* the address, over every account — credential stuffing from one place.

While a counter's wait runs, an attempt is refused (429 with `Retry-After`) without checking the
password and without counting as a failure, so waiting is always enough. A successful login clears
the pair and account counters; a counter is forgotten `forget_after_s` after its last failure.
Pure: the store and the clock are the caller's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FORGET_AFTER_S = 15 * 60


@dataclass(frozen=True)
class Failures:
    count: int = 0
    last_at: float | None = None  # epoch seconds of the latest failure


@dataclass(frozen=True)
class Backoff:
    free: int  # failures allowed before any wait
    max_s: float  # the longest wait
    base_s: float = 1.0  # the first wait

    def delay_after(self, count: int) -> float:
        """The wait that follows the `count`-th failure in a row."""
        if count < self.free:
            return 0.0
        return min(self.max_s, self.base_s * 2.0 ** min(count - self.free, 64))

    def wait_s(self, failures: Failures, now: float, forget_after_s: float = FORGET_AFTER_S) -> int:
        """Whole seconds to wait before the next attempt (0: try now)."""
        if failures.last_at is None or now - failures.last_at >= forget_after_s:
            return 0
        remaining = failures.last_at + self.delay_after(failures.count) - now
        return max(0, math.ceil(remaining))


@dataclass(frozen=True)
class LoginPolicy:
    pair: Backoff = Backoff(free=5, max_s=15 * 60)
    account: Backoff = Backoff(free=10, max_s=60)
    address: Backoff = Backoff(free=30, max_s=15 * 60)
    forget_after_s: float = FORGET_AFTER_S


def pair_key(email: str, address: str) -> str:
    return f"pair:{email}|{address}"


def account_key(email: str) -> str:
    return f"account:{email}"


def address_key(address: str) -> str:
    return f"address:{address}"
