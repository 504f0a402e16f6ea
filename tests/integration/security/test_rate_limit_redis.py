"""Rate limits against the real Redis at 127.0.0.1:6379: counters shared between processes."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from chatops_commander.adapters.security.rate_limit import LOGIN_PER_ACCOUNT, RateLimiter, RateLimitSpec

REDIS_URL = os.environ.get("CHATOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def namespace():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    ns = f"test-{uuid.uuid4().hex}"
    yield ns
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{ns}*"):
        client.delete(key)


def test_two_limiters_sharing_redis_share_the_login_budget(namespace):
    replica_a = RateLimiter(REDIS_URL, namespace=namespace)
    replica_b = RateLimiter(REDIS_URL, namespace=namespace)
    results = [(replica_a if i % 2 else replica_b).hit("bob@example.com", LOGIN_PER_ACCOUNT) for i in range(6)]
    assert [r.allowed for r in results] == [True] * 5 + [False]
    assert 0 < results[-1].retry_after_s <= 900
    assert not replica_a.peek("bob@example.com", LOGIN_PER_ACCOUNT).allowed


def test_counters_live_in_redis_under_the_namespace(namespace):
    RateLimiter(REDIS_URL, namespace=namespace).hit("carol", RateLimitSpec("api", "3/minute"))
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{namespace}*"))
    assert keys
    assert all(k.startswith(b"chatops-limits") for k in keys)


def test_clear_resets_the_shared_counter(namespace):
    limiter = RateLimiter(REDIS_URL, namespace=namespace)
    spec = RateLimitSpec("tiny", "1/hour")
    assert limiter.hit("dave", spec).allowed
    assert not limiter.hit("dave", spec).allowed
    limiter.clear("dave", spec)
    assert RateLimiter(REDIS_URL, namespace=namespace).hit("dave", spec).allowed
