"""pytest fixtures for the test fleet: `fleet` (session-scoped, started once) and `fleet_executor`."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from tests.fleet.fleet import Fleet, missing_tools


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    f = Fleet(Path(tempfile.mkdtemp(prefix="chatops-fleet-")))
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
