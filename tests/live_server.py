"""Helpers for tests that start a real `chatops serve` process: a free port and a readiness poll."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


@contextmanager
def serve(cwd: Path, env: Mapping[str, str], *, stdout: Any = subprocess.PIPE,
          stderr: Any = subprocess.STDOUT) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chatops serve` process on a free loopback port, with no CHATOPS_* from the developer's shell but
    `env`; yields (base URL, process) once /healthz answers, and stops it (terminate, then kill) afterwards."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")} | dict(env)
    chatops = Path(sys.executable).parent / "chatops"
    proc = subprocess.Popen([str(chatops), "serve", "--port", str(port)], cwd=cwd, env=clean, stdout=stdout,
                            stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
