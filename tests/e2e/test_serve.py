"""`chatops serve` as a real process: it starts, answers /healthz and the docs, and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port, wait_until_up


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env["CHATOPS_DATA_DIR"] = str(tmp_path / "var")
    chatops = Path(sys.executable).parent / "chatops"
    proc = subprocess.Popen([str(chatops), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env.update(CHATOPS_DATA_DIR=str(tmp_path / "var"), CHATOPS_ADMIN_EMAIL="stop@example.com",
               CHATOPS_ADMIN_PASSWORD="Quiet-Harbor-Lamp-2026", CHATOPS_MONITORING_ENABLED="false")
    chatops = Path(sys.executable).parent / "chatops"
    proc = subprocess.Popen([str(chatops), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc)
        with httpx.Client(base_url=base, timeout=15) as client:
            assert client.post("/api/v1/auth/login", json={"email": "stop@example.com",
                                                           "password": "Quiet-Harbor-Lamp-2026"}).status_code == 200
            with client.stream("GET", "/events/alerts") as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("retry: ")
                proc.terminate()
                rest = list(lines)  # ends when the server closes the stream
            assert rest[-1:] in ([""], [": connected"], [])
        # Well inside the 10 s grace period; uvicorn re-raises the SIGTERM it caught once it has stopped.
        assert proc.wait(timeout=8) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
