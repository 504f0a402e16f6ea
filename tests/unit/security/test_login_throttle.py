"""Login throttling: growing waits after free failures, capped, forgotten after a quiet period."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.adapters.security.failure_store import FailureCounters, MemoryFailures
from chatops_commander.domain.security.login_throttle import Backoff, Failures

PAIR = Backoff(free=5, max_s=900)


def test_no_wait_before_the_free_failures_are_used_then_doubling_waits() -> None:
    assert [PAIR.delay_after(n) for n in range(1, 11)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=50),
       st.floats(min_value=1, max_value=86_400))
def test_waits_never_shrink_with_more_failures_and_never_pass_the_cap(count: int, free: int, cap: float) -> None:
    backoff = Backoff(free=free, max_s=cap)
    assert backoff.delay_after(count) <= backoff.delay_after(count + 1) <= cap


@given(st.integers(min_value=1, max_value=200), st.floats(min_value=0, max_value=2_000))
def test_waiting_the_announced_time_is_always_enough(count: int, elapsed: float) -> None:
    failures = Failures(count=count, last_at=1_000_000.0)
    now = 1_000_000.0 + elapsed
    wait = PAIR.wait_s(failures, now)
    assert wait <= PAIR.max_s
    assert PAIR.wait_s(failures, now + wait) == 0


def test_a_quiet_period_forgets_the_failures() -> None:
    store = MemoryFailures()
    for t in range(6):
        store.add("pair:a|b", 100.0 + t, forget_after_s=900)
    assert store.get("pair:a|b", 106.0, forget_after_s=900).count == 6
    assert store.get("pair:a|b", 105.0 + 900, forget_after_s=900) == Failures()
    assert store.add("pair:a|b", 2_000.0, forget_after_s=900).count == 1


def test_the_counters_fall_back_to_memory_when_redis_does_not_answer() -> None:
    seen: list[str] = []
    counters = FailureCounters("redis://127.0.0.1:1/0", on_fallback=seen.append)
    assert counters.add("account:a", 10.0).count == 1
    assert counters.add("account:a", 11.0).count == 2
    assert counters.get("account:a", 12.0).count == 2
    counters.clear("account:a")
    assert counters.get("account:a", 13.0).count == 0
    assert counters.degraded_reason is not None and seen == ["login_failures"] * 5
