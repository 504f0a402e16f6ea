"""Scale-out: exactly one collector collects, against the real PostgreSQL (advisory lock) and the real Redis
(SET NX PX); when the leader stops, the standby takes over. Collection runs on `localhost` (local executor).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from chatops_commander import bootstrap
from chatops_commander.adapters.monitoring.locks import PostgresAdvisoryLock, RedisLock
from chatops_commander.adapters.monitoring.prom_metrics import PrometheusMetrics
from chatops_commander.adapters.monitoring.rules_file import load_rules
from chatops_commander.config import ConfigError
from chatops_commander.services import servers as server_service
from chatops_commander.services.kit import SystemClock
from chatops_commander.services.monitoring import Collector, CollectorConfig
from chatops_commander.services.monitoring_runtime import InProcessLock
from chatops_commander.services.ports_monitoring import CollectorLock
from tests.conftest import _truncate, make_settings

REDIS_URL = os.environ.get("CHATOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEADLINE_S = 30.0


async def eventually(check: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S:g} s: {what}")
        await asyncio.sleep(0.02)  # polling, not waiting for time to pass


@pytest.fixture
async def pg_container(tmp_path: Path, postgres_url: str) -> AsyncIterator[bootstrap.Container]:
    await _truncate(postgres_url)
    c = await bootstrap.build(make_settings(tmp_path, postgres_url))
    try:
        yield c
    finally:
        await c.aclose()


def collected(m: PrometheusMetrics) -> float:
    return sum(m.value("chatops_collector_collections_total", {"status": s}) or 0.0
               for s in ("online", "offline", "error", "unknown"))


async def race(container: bootstrap.Container, lock_a: CollectorLock, lock_b: CollectorLock) -> None:
    """Two collectors on one database: one collects, the other waits; stop the first, the second takes over."""
    await server_service.ensure_localhost(container.uow, ssh_user=bootstrap.os_user())
    config = CollectorConfig(interval_s=0.2, lock_retry_s=0.05, refresh_servers_s=0.1)
    rules = load_rules()
    metrics = {"a": PrometheusMetrics(), "b": PrometheusMetrics()}
    collectors = {name: Collector(container.uow, container.fanout.executor, rules, clock=SystemClock(),
                                  config=config, lock=lock, metrics=metrics[name])
                  for name, lock in (("a", lock_a), ("b", lock_b))}
    stops = {name: asyncio.Event() for name in collectors}
    tasks = {name: asyncio.create_task(c.run(stops[name], resolution_s=0.05)) for name, c in collectors.items()}
    try:
        await eventually(lambda: any(collected(m) >= 3 for m in metrics.values()), "a leader collects")
        leader = "a" if collected(metrics["a"]) >= 3 else "b"
        standby = "b" if leader == "a" else "a"
        assert collectors[leader].leader and not collectors[standby].leader
        assert collected(metrics[standby]) == 0  # the standby never collected

        stops[leader].set()
        await tasks[leader]
        await eventually(lambda: collected(metrics[standby]) >= 2, "the standby takes over")
        assert collectors[standby].leader and not collectors[leader].leader
    finally:
        for stop in stops.values():
            stop.set()
        await asyncio.gather(*tasks.values(), return_exceptions=True)


@pytest.mark.postgres
async def test_postgres_advisory_lock_one_collector_then_failover(pg_container: bootstrap.Container) -> None:
    name = f"chatops:test:{uuid.uuid4().hex}"
    a = PostgresAdvisoryLock(pg_container.engine, name, check_every_s=0.0)
    b = PostgresAdvisoryLock(pg_container.engine, name, check_every_s=0.0)
    await race(pg_container, a, b)


@pytest.mark.postgres
async def test_postgres_lock_freed_when_the_leader_connection_dies(pg_container: bootstrap.Container) -> None:
    name = f"chatops:test:{uuid.uuid4().hex}"
    a = PostgresAdvisoryLock(pg_container.engine, name, check_every_s=0.0)
    b = PostgresAdvisoryLock(pg_container.engine, name, check_every_s=0.0)
    assert await a.acquire() and not await b.acquire()
    assert a._conn is not None
    pid = (await a._conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with pg_container.engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        await admin.commit()
    assert not await a.held()  # it notices the lost connection
    assert await b.acquire()  # and PostgreSQL freed the lock with it
    await b.release()


async def test_redis_lock_one_collector_then_failover(container: bootstrap.Container) -> None:
    name = f"chatops:test:{uuid.uuid4().hex}"
    a, b = RedisLock(REDIS_URL, name, ttl_s=5), RedisLock(REDIS_URL, name, ttl_s=5)
    try:
        await race(container, a, b)
    finally:
        await a.close()
        await b.close()


async def test_redis_lock_is_renewed_and_never_freed_by_a_stranger() -> None:
    name = f"chatops:test:{uuid.uuid4().hex}"
    a, b = RedisLock(REDIS_URL, name, ttl_s=5, renew_every_s=0), RedisLock(REDIS_URL, name, ttl_s=5)
    try:
        assert await a.acquire() and not await b.acquire()
        assert await a.held()  # renewal by compare-and-expire
        await b.release()  # b never held it: nothing happens
        assert not await b.acquire()
        await a.release()
        assert await b.acquire()
    finally:
        await b.release()
        await a.close()
        await b.close()


async def test_in_process_lock_one_collector_per_database() -> None:
    key = f"sqlite:///{uuid.uuid4().hex}"
    a, b = InProcessLock(key), InProcessLock(key)
    assert await a.acquire() and not await b.acquire()
    await a.release()
    assert await b.acquire() and await b.held() and not await a.held()
    await b.release()


def test_lock_chosen_by_settings(tmp_path: Path) -> None:
    async def kind(**overrides: object) -> str:
        c = await bootstrap.build(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/x.db",
                                                register_localhost=False, **overrides))
        try:
            lock = bootstrap.collector_lock(c)
            if isinstance(lock, RedisLock):
                await lock.close()
            return type(lock).__name__
        finally:
            await c.aclose()

    assert asyncio.run(kind()) == "InProcessLock"
    assert asyncio.run(kind(redis_url=REDIS_URL)) == "RedisLock"
    assert asyncio.run(kind(redis_url=REDIS_URL, collector_lock="none")) == "InProcessLock"
    with pytest.raises(ConfigError, match="PostgreSQL"):
        asyncio.run(kind(collector_lock="postgres"))
