"""Rate limits with the in-memory storage (embedded mode)."""

from __future__ import annotations

import uuid

import pytest

from chatops_commander.adapters.security.rate_limit import (
    API_PER_USER,
    COMMANDS_PER_USER,
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_IP,
    RateLimiter,
    RateLimitSpec,
)
from chatops_commander.domain.errors import RateLimited


def fresh() -> RateLimiter:
    return RateLimiter("memory://", namespace=f"test-{uuid.uuid4().hex}")


def test_seed_defaults_are_the_named_constants():
    assert (API_PER_USER.item.amount, API_PER_USER.item.get_expiry()) == (100, 900)
    assert (COMMANDS_PER_USER.item.amount, COMMANDS_PER_USER.item.get_expiry()) == (10, 60)
    assert (LOGIN_PER_ACCOUNT.item.amount, LOGIN_PER_ACCOUNT.item.get_expiry()) == (5, 900)
    assert (LOGIN_PER_IP.item.amount, LOGIN_PER_IP.item.get_expiry()) == (5, 900)


def test_the_sixth_login_attempt_in_15_minutes_is_refused_with_retry_after():
    limiter = fresh()
    decisions = [limiter.hit("alice@example.com", LOGIN_PER_ACCOUNT) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert 0 < decisions[5].retry_after_s <= 900
    with pytest.raises(RateLimited) as err:
        decisions[5].raise_if_limited()
    assert err.value.retry_after == decisions[5].retry_after_s
    assert err.value.localized("fr").startswith("Trop de requêtes ; réessayez dans")


def test_keys_and_limits_are_independent():
    limiter = fresh()
    for _ in range(5):
        limiter.hit("203.0.113.5", LOGIN_PER_IP)
    assert not limiter.hit("203.0.113.5", LOGIN_PER_IP).allowed
    assert limiter.hit("203.0.113.6", LOGIN_PER_IP).allowed
    assert limiter.hit("203.0.113.5", LOGIN_PER_ACCOUNT).allowed


def test_peek_does_not_count_and_clear_resets():
    limiter = fresh()
    spec = RateLimitSpec("tiny", "1/minute")
    assert limiter.peek("u1", spec).allowed
    assert limiter.hit("u1", spec).allowed
    assert not limiter.peek("u1", spec).allowed
    limiter.clear("u1", spec)
    assert limiter.hit("u1", spec).allowed
