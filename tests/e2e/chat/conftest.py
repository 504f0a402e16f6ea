"""The chat through the API on the real sshd fleet: one app, users per role, fleet servers registered."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.users import User
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import users as user_service
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, TEST_CLI, add_user, bearer, login
from tests.fleet import Fleet

pytestmark = pytest.mark.fleet


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fleet: Fleet) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, ssh_known_hosts=fleet.known_hosts,
                         rate_limit_commands="1000/minute", rate_limit_api="10000/minute", **CHEAP_ARGON2)


@dataclass
class ChatWorld:
    container: bootstrap.Container
    app: FastAPI
    fleet: Fleet
    runbooks: Path
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def user(self, role: Role, email: str, *, execute_on: tuple[str, ...] = ()) -> tuple[User, httpx.AsyncClient]:
        user = await add_user(self.container, email, role)
        assert user.id is not None
        for name in self.fleet.hosts:
            grant = ServerPermission(can_read=True, can_execute=name in execute_on)
            await user_service.set_permission(self.container.uow, TEST_CLI, user.id, name, grant)
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.9", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anon:
            tokens = await login(anon, email)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                   headers=bearer(tokens["access_token"]), timeout=120)
        self.clients.append(client)
        return user, client


async def say(client: httpx.AsyncClient, conversation: str, text: str, **extra: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def new_conversation(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/conversations", json={})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def events_of(turn: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in turn["events"] if e["type"] == kind]


@pytest.fixture
async def world(settings: Settings, fleet: Fleet, tmp_path: Path) -> AsyncIterator[ChatWorld]:
    container = await bootstrap.build(settings)
    for server in fleet.servers():
        if server.name.startswith("web-"):  # the web hosts are the production group of the deploy scenario
            server = dataclasses.replace(server, tags=(*server.tags, "production"))
        async with container.uow() as uow:
            await uow.servers.add(server)
            await uow.commit()
    runbooks = tmp_path / "runbooks"
    runbooks.mkdir()
    urls = {name: f"http://127.0.0.1:{h.http_port}/" for name, h in fleet.hosts.items() if h.http_port}
    app = create_app(settings, container=container)
    app.state.chat_service = bootstrap.build_chat_service(container, runbooks_path=runbooks, health_urls=urls)
    w = ChatWorld(container, app, fleet, runbooks)
    try:
        yield w
    finally:
        for c in w.clients:
            await c.aclose()
        await container.aclose()


Say = Callable[..., Any]
