"""pytest fixtures for the test fleet: `fleet` (session-scoped, started once) and `fleet_executor`."""

from __future__ import annotations

import fcntl
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from tests.fleet.fleet import Fleet, missing_tools

LOCK = Path(tempfile.gettempdir()) / "chatops-test-fleet.lock"
LOCK_WAIT_S = 900.0
_HELD: list[bool] = []  # this process holds the lock


@contextmanager
def exclusive_fleet_users() -> Iterator[None]:
    """One fleet at a time on a machine: its hosts are fixed Unix users (cc-web-01, ...).

    Whoever holds the lock owns those users, so anything still running as them is a leftover of
    a run that died: it is killed before the fleet starts.
    """
    if _HELD:
        raise RuntimeError("the fleet fixture is defined twice in this session: import it only in tests/conftest.py")
    with LOCK.open("w") as handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                _HELD.append(True)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.skip(f"another test run has held the sshd fleet for {LOCK_WAIT_S:g} s")
                time.sleep(0.5)  # polling a lock held by another process
        try:
            yield
        finally:
            _HELD.clear()
            fcntl.flock(handle, fcntl.LOCK_UN)


def kill_leftovers(users: list[str]) -> None:
    for user in users:
        subprocess.run(["pkill", "-KILL", "-u", user], check=False, capture_output=True)


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    with exclusive_fleet_users():
        f = Fleet(Path(tempfile.mkdtemp(prefix="chatops-fleet-")))
        kill_leftovers([spec.user or f"cc-{spec.name}" for spec in f.specs])
        try:
            f.start()
            yield f
        finally:
            f.stop()


@pytest.fixture
async def fleet_executor(fleet: Fleet) -> AsyncIterator[SSHExecutor]:
    ex = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False, connect_timeout=5))
    try:
        yield ex
    finally:
        await ex.close()
