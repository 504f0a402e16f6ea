"""A real Synapse for the Matrix tests (started once per session), its users, and the bot started per test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chatops_commander.adapters.platforms.matrix.bot import Backoff, MatrixBot, MatrixConfig
from chatops_commander.services.platforms.contract import PlatformDoor
from tests.e2e.platforms.matrix.client import MatrixUser
from tests.e2e.platforms.matrix.door import EchoDoor
from tests.e2e.platforms.matrix.synapse import Account, Homeserver, available

READY_S = 30.0


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    if not available():
        pytest.skip("Synapse is not installed: run scripts/install-test-deps.sh (it makes .venv-synapse/)")
    server = Homeserver(Path(tmp_path_factory.mktemp("synapse")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def accounts(synapse: Homeserver) -> dict[str, Account]:
    return {name: synapse.register(name) for name in ("chatops", "alice", "bob")}


@pytest.fixture
async def alice(synapse: Homeserver, accounts: dict[str, Account]) -> AsyncIterator[MatrixUser]:
    user = MatrixUser(synapse.base_url, accounts["alice"])
    yield user
    await user.close()


@pytest.fixture
async def bob(synapse: Homeserver, accounts: dict[str, Account]) -> AsyncIterator[MatrixUser]:
    user = MatrixUser(synapse.base_url, accounts["bob"])
    yield user
    await user.close()


@pytest.fixture
def bot_id(accounts: dict[str, Account]) -> str:
    return accounts["chatops"].user_id


StartBot = Callable[..., contextlib.AbstractAsyncContextManager[MatrixBot]]


@pytest.fixture
def start_bot(synapse: Homeserver, accounts: dict[str, Account]) -> StartBot:
    """`async with start_bot(door, rooms=(), homeserver=None, store=None) as bot:` — the bot runs, ready, until the
    block ends (`store`: where it keeps its cards, e.g. a SQL platform store, to outlive a restart)."""

    @contextlib.asynccontextmanager
    async def run(door: PlatformDoor | None = None, **options: Any) -> AsyncIterator[MatrixBot]:
        account = accounts["chatops"]
        store = options.pop("store", None)
        config = MatrixConfig(homeserver=options.pop("homeserver", synapse.base_url), user_id=account.user_id,
                              access_token=account.access_token, sync_timeout_ms=options.pop("sync_timeout_ms", 1000),
                              **options)
        bot = MatrixBot(config, door or EchoDoor(), backoff=Backoff(first=0.05, cap=0.5), store=store)
        task = asyncio.create_task(bot.run())
        ready = asyncio.create_task(bot.ready.wait())
        await asyncio.wait({task, ready}, timeout=READY_S, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
        assert bot.ready.is_set(), f"the bot did not get ready within {READY_S} s"
        try:
            yield bot
        finally:
            bot.stop()
            await asyncio.wait_for(task, timeout=READY_S)

    return run
