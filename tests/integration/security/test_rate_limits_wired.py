"""Login throttling as wired by bootstrap: memory by default, shared through the real Redis when
CHATOPS_REDIS_URL is set (two API replicas count the same failures); the command-rate helper."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import redis

from chatops_commander import bootstrap
from chatops_commander.domain.errors import RateLimited
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.security.errors import CredentialRejected
from chatops_commander.services import audit, auth
from chatops_commander.services.principal import AuthMethod, Principal
from tests.conftest import make_settings

REDIS_URL = os.environ.get("CHATOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
INFO = auth.RequestInfo(source_ip="192.0.2.10")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


async def _attempt(container: bootstrap.Container, email: str, info: auth.RequestInfo = INFO) -> str:
    try:
        await auth.login(container.uow, container.security, email=email, password="wrong-password-1", totp=None,
                         info=info)
    except RateLimited:
        return "limited"
    except CredentialRejected:
        return "refused"
    return "ok"


async def test_two_replicas_on_redis_share_the_login_budget(tmp_path: Path, database_url: str,
                                                            redis_url: str) -> None:
    run = uuid.uuid4().hex[:4]
    email = f"victim-{run}@example.com"
    settings = make_settings(tmp_path, database_url, redis_url=redis_url)
    replicas = [await bootstrap.build(settings), await bootstrap.build(settings)]
    try:  # counters live in Redis for 15 minutes: this run's addresses and account are its own
        outcomes = [await _attempt(replicas[i % 2], email, auth.RequestInfo(source_ip=f"2001:db8::{run}:{i}"))
                    for i in range(11)]
        assert outcomes == ["refused"] * 10 + ["limited"]  # 10 free failures per account, then a wait
        assert [e.action for e in await audit.recent(replicas[0].uow, limit=100)][-1] is AuditAction.RATE_LIMITED
    finally:
        for container in replicas:
            await container.aclose()
        client = redis.Redis.from_url(redis_url)
        for pattern in (f"*{email}*", f"*2001:db8::{run}:*"):  # rate limits and login-failure counters
            for key in client.scan_iter(match=pattern):
                client.delete(key)


async def test_without_redis_each_process_counts_alone(tmp_path: Path, database_url: str) -> None:
    email = f"alone-{uuid.uuid4().hex}@example.com"
    settings = make_settings(tmp_path, database_url)
    first, second = await bootstrap.build(settings), await bootstrap.build(settings)
    try:
        assert [await _attempt(first, email, auth.RequestInfo(source_ip=f"192.0.2.{i}")) for i in range(11)][-1] \
            == "limited"
        assert await _attempt(second, email) == "refused"
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_command_limit_helper_allows_thirty_a_minute_then_refuses_in_both_languages(
    tmp_path: Path, database_url: str,
) -> None:
    container = await bootstrap.build(make_settings(tmp_path, database_url))
    operator = Principal(user_id=uuid.uuid4(), email="op@example.com", role=Role.OPERATOR,
                         auth_method=AuthMethod.PASSWORD)
    try:
        for _ in range(30):  # sized for incident work
            await auth.hit_command_limit(container.uow, container.security, operator)
        with pytest.raises(RateLimited) as limited:
            await auth.hit_command_limit(container.uow, container.security, operator)
        assert 0 < limited.value.retry_after <= 60
        assert "Slow down" in limited.value.message and "Ralentissez" in limited.value.message_fr
    finally:
        await container.aclose()


def test_a_malformed_rate_limit_setting_is_a_clear_configuration_error(tmp_path: Path) -> None:
    from chatops_commander.config import ConfigError

    with pytest.raises(ConfigError, match="CHATOPS_RATE_LIMIT_API"):
        bootstrap.security_kit(make_settings(tmp_path, "sqlite+aiosqlite://", rate_limit_api="lots"))
