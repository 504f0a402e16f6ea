"""Helpers for tests that start a real `chatops serve` process: a free port and a readiness poll."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 60.0) -> None:
    """Poll `url` until it answers 200, the process exits (error) or the deadline passes (error)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling interval of a deadline-bounded readiness check
    raise AssertionError(f"{url} did not answer within {deadline_s}s")
