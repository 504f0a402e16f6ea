"""`chatops serve` as a real process: it starts, answers /healthz and the docs, and stops."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import serve

HANG_GUARD_S = 60  # a stuck process fails the test instead of hanging it; not a speed expectation


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with serve(tmp_path, {"CHATOPS_DATA_DIR": str(tmp_path / "var")}) as running:
        yield running


def test_serve_starts_the_api_on_an_embedded_database(server: tuple[str, subprocess.Popen[bytes]],
                                                      tmp_path: Path) -> None:
    base, _ = server
    assert httpx.get(f"{base}/readyz").json()["database"] == "ok"
    assert httpx.get(f"{base}/api/docs").status_code == 200
    servers = httpx.get(f"{base}/api/v1/servers")
    assert servers.status_code in (200, 401)
    assert (tmp_path / "var" / "chatops.db").exists()
    assert (tmp_path / "var" / "secrets" / "jwt_secret.key").stat().st_mode & 0o777 == 0o600


def test_access_log_is_json_with_the_request_id(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, proc = server
    httpx.get(f"{base}/healthz", headers={"X-Request-ID": "trace-me-42"})
    proc.terminate()
    output = proc.communicate(timeout=15)[0].decode()
    lines = [line for line in output.splitlines() if "trace-me-42" in line]
    assert lines and '"event": "http_request"' in lines[0] and '"status": 200' in lines[0]


def test_a_stop_ends_open_event_streams_instead_of_waiting_for_them(tmp_path: Path) -> None:
    env = {"CHATOPS_DATA_DIR": str(tmp_path / "var"), "CHATOPS_ADMIN_EMAIL": "stop@example.com",
           "CHATOPS_ADMIN_PASSWORD": "Quiet-Harbor-Lamp-2026", "CHATOPS_MONITORING_ENABLED": "false"}
    with serve(tmp_path, env) as (base, proc), httpx.Client(base_url=base, timeout=HANG_GUARD_S) as client:
        assert client.post("/api/v1/auth/login", json={"email": "stop@example.com",
                                                       "password": "Quiet-Harbor-Lamp-2026"}).status_code == 200
        with client.stream("GET", "/events/alerts") as stream:
            lines = stream.iter_lines()
            assert next(lines).startswith("retry: ")
            proc.terminate()
            rest = list(lines)  # a stream cut by a forced shutdown raises here (incomplete chunked read)
        assert rest[-1:] in ([""], [": connected"], [])
        output = proc.communicate(timeout=HANG_GUARD_S)[0].decode()
    # The stream ended by itself: the server did not have to cancel it at the end of its grace period.
    assert "graceful shutdown exceeded" not in output
    assert proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the SIGTERM it caught once stopped
