from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chatops_commander import bootstrap
from chatops_commander.entrypoints.api.app import create_app


@pytest.fixture
async def api(container: bootstrap.Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container.settings, container=container)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
