"""API fixtures: an app on the real database, an admin, and authenticated clients per role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.users import User
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import Principal
from tests.conftest import make_settings
from tests.e2e.cli import isolate

ADMIN_EMAIL = "admin@example.com"
PASSWORD = "Violet-Tram-42-Harbour"  # passes the policy; the same for every test user
CHEAP_ARGON2: dict[str, object] = {"password_time_cost": 1, "password_memory_kib": 8192, "password_parallelism": 1}
CLIENT_IP = "203.0.113.7"
TEST_CLI = Principal.cli("pytest")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For CLI tests: an isolated ./var (see `tests.e2e.cli.isolate`), the working directory its parent."""
    isolate(monkeypatch, tmp_path / "var")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "var"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, **CHEAP_ARGON2)


async def add_user(container: bootstrap.Container, email: str, role: Role, password: str = PASSWORD) -> User:
    return await user_service.create_user(container.uow, container.security, TEST_CLI, email=email,
                                          name=email.split("@")[0], role=role, password=password)


def client_for(container: bootstrap.Container, *, ip: str = CLIENT_IP,
               headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    app = create_app(container.settings, container=container)
    transport = httpx.ASGITransport(app=app, client=(ip, 4242))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def anon_api(container: bootstrap.Container) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(container) as client:
        yield client


@pytest.fixture
async def admin(container: bootstrap.Container) -> User:
    return await add_user(container, ADMIN_EMAIL, Role.ADMIN)


@pytest.fixture
async def api(container: bootstrap.Container, admin: User) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as an admin with a bearer access token."""
    async with client_for(container) as anonymous:
        tokens = await login(anonymous, ADMIN_EMAIL)
    async with client_for(container, headers=bearer(tokens["access_token"])) as client:
        yield client


@pytest.fixture
def as_role(container: bootstrap.Container) -> Callable[[Role], Any]:
    """`await as_role(Role.VIEWER)` → (user, client authenticated as a new user of that role)."""
    opened: list[httpx.AsyncClient] = []

    async def make(role: Role, email: str | None = None) -> tuple[User, httpx.AsyncClient]:
        user = await add_user(container, email or f"{role.value}@example.com", role)
        async with client_for(container) as anonymous:
            tokens = await login(anonymous, user.email)
        client = client_for(container, headers=bearer(tokens["access_token"]))
        opened.append(client)
        return user, client

    return make
