"""Cost of one rate-limit decision and one failed-login bookkeeping: in memory, on a private Redis, and
with Redis configured but unreachable (the per-process fallback). Prints figures and records them in
bench/RESULTS.md. Run: `.venv/bin/python -m bench.rate_limits` (needs `redis-server` on the PATH)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime

import redis

from bench.results import free_port, record
from chatops_commander.adapters.security.failure_store import FailureCounters
from chatops_commander.adapters.security.rate_limit import RateLimiter, RateLimitSpec

N = 2000
SPEC = RateLimitSpec("api", "1000000/minute")



def timed(fn: Callable[[int], object], n: int = N) -> tuple[float, float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    rows: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
    port = free_port()
    binary = shutil.which("redis-server")
    server = subprocess.Popen([binary or "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.exceptions.ConnectionError:
                continue
        closed = f"redis://127.0.0.1:{free_port()}/0"
        for label, url in (("memory", "memory://"), ("Redis (local, up)", f"redis://127.0.0.1:{port}/0"),
                           ("Redis configured, unreachable (fallback)", closed)):
            limiter = RateLimiter(url, namespace=f"bench-{time.time_ns()}")
            failures = FailureCounters(url)
            rows.append((label, timed(lambda i, lim=limiter: lim.hit(f"user-{i % 50}", SPEC)),
                         timed(lambda i, f=failures: f.add(f"pair:u{i % 50}|10.0.0.1", time.time()))))
    finally:
        server.kill()
        server.wait()
    lines = [f"## Rate limits and login counters — {datetime.now(UTC):%Y-%m-%d}", "",
             f"One decision ({N} in a row, 50 keys), microseconds, on this shared 2-core machine.", "",
             "| store | rate-limit hit p50 | p99 | failed-login count p50 | p99 |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {label} | {a[0]:.0f} µs | {a[1]:.0f} µs | {b[0]:.0f} µs | {b[1]:.0f} µs |" for label, a, b in rows]
    lines += ["", "Unreachable Redis: the first call pays the refused connection, then decisions come from memory "
              "for 5 s before Redis is tried again, so the degraded mode costs about what memory costs."]
    text = "\n".join(lines)
    print(text)
    record(text)


if __name__ == "__main__":
    main()
