"""Redis is optional: configured but unreachable (a closed port, or a redis-server stopped mid-run), the
rate limits fall back to per-process counters with a warning and a metric, and nothing answers 500;
`/readyz` reports each dependency and says `degraded` with the reason.

The Redis used here is a `redis-server` this module starts itself on a free port (no persistence), so
stopping it touches nothing shared.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import structlog
from pydantic import SecretStr
from starlette.testclient import TestClient

from chatops_commander.adapters.security.rate_limit import RateLimiter, RateLimitSpec
from chatops_commander.entrypoints.api.app import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, PASSWORD, bearer
from tests.fleet.fleet import free_ports

DEADLINE_S = 30.0
ADMIN = "oncall@example.com"
SPEC = RateLimitSpec("login_account", "3/15 minutes")


class RedisServer:
    """A private redis-server on its own port; `stop()` kills it mid-test, `start()` brings it back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.exceptions.ConnectionError:
                continue
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_ports(1)[0])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(tmp_path: Path, sqlite_template: Path, redis_url: str) -> TestClient:
    db = tmp_path / "chatops.db"
    db.write_bytes(sqlite_template.read_bytes())
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{db}", redis_url=redis_url, admin_email=ADMIN,
                             admin_password=SecretStr(PASSWORD), **CHEAP_ARGON2)
    return TestClient(create_app(settings), client=("203.0.113.9", 4242))


def _login(client: TestClient) -> str:
    answer = client.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    return str(answer.json()["access_token"])


def _everyday_calls_work(client: TestClient) -> None:
    """Login, reads, a change and a chat turn: each counts against a rate limit, none may be a 500."""
    token = _login(client)
    for path in ("/api/v1/auth/me", "/api/v1/servers", "/api/v1/alerts", "/api/v1/approvals"):
        answer = client.get(path, headers=bearer(token))
        assert answer.status_code == 200, (path, answer.text)
    conversation = client.post("/api/v1/conversations", json={}, headers=bearer(token))
    assert conversation.status_code == 201, conversation.text
    turn = client.post(f"/api/v1/conversations/{conversation.json()['id']}/messages", json={"text": "help"},
                       headers=bearer(token))
    assert turn.status_code in (200, 201), turn.text


def _fallbacks(client: TestClient) -> float:
    metrics = client.get("/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("chatops_rate_limit_fallback_total{"))


def test_a_closed_redis_port_degrades_to_per_process_limits_without_a_500(
        tmp_path: Path, sqlite_template: Path) -> None:
    closed = f"redis://127.0.0.1:{free_ports(1)[0]}/0"
    with structlog.testing.capture_logs() as logs, _client(tmp_path, sqlite_template, closed) as client:
        _everyday_calls_work(client)
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded" and ready.json()["database"] == "ok"
        assert ready.json()["redis"] == "unreachable" and "rate limits" in ready.json()["reason"]
        assert _fallbacks(client) >= 7
        assert 'chatops_dependency_up{dependency="redis"} 0.0' in client.get("/metrics").text
    warnings = [e for e in logs if e["event"] == "rate_limit_store_unreachable"]
    assert len(warnings) == 1 and warnings[0]["log_level"] == "warning"


def test_the_per_process_fallback_still_limits(tmp_path: Path) -> None:
    seen: list[str] = []
    limiter = RateLimiter(f"redis://127.0.0.1:{free_ports(1)[0]}/0", on_fallback=seen.append)
    verdicts = [limiter.hit("oncall@example.com", SPEC).allowed for _ in range(4)]
    assert verdicts == [True, True, True, False]
    assert seen == ["login_account"] * 4 and limiter.degraded_reason is not None


def test_redis_stopped_mid_run_degrades_then_recovers(
        tmp_path: Path, sqlite_template: Path, redis_server: RedisServer) -> None:
    with _client(tmp_path, sqlite_template, redis_server.url) as client:
        assert client.get("/readyz").json() == {"status": "ready", "database": "ok", "redis": "ok", "reason": None}
        _everyday_calls_work(client)
        assert _fallbacks(client) == 0
        assert list(redis.Redis.from_url(redis_server.url).scan_iter(match="chatops-limits*"))  # shared counters
        redis_server.stop()
        _everyday_calls_work(client)
        assert client.get("/readyz").json()["status"] == "degraded"
        assert _fallbacks(client) > 0
        redis_server.start()  # same port: Redis is back
        assert client.get("/readyz").json()["status"] == "ready"


def test_the_limiter_uses_redis_again_once_it_is_back(redis_server: RedisServer) -> None:
    seen: list[str] = []
    limiter = RateLimiter(redis_server.url, namespace="recovery", retry_s=0.05, on_fallback=seen.append)
    assert limiter.hit("a", SPEC).allowed and not seen
    redis_server.stop()
    assert limiter.hit("a", SPEC).allowed and seen == ["login_account"]
    assert limiter.degraded_reason is not None
    redis_server.start()
    deadline = time.monotonic() + DEADLINE_S
    while limiter.degraded_reason is not None and time.monotonic() < deadline:
        limiter.peek("a", SPEC)  # tried against Redis once the retry delay is over
    assert limiter.degraded_reason is None
    assert limiter.hit("b", SPEC).allowed
    assert list(redis.Redis.from_url(redis_server.url).scan_iter(match="chatops-limits*recovery*"))
