"""Shared fixtures: real databases (SQLite always, PostgreSQL when CHATOPS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chatops_commander import bootstrap
from chatops_commander.adapters.db import migrate
from chatops_commander.adapters.db.engine import create_engine
from chatops_commander.adapters.db.tables import metadata
from chatops_commander.config import Settings
from tests.fleet.fixture import fleet, fleet_executor  # one session-wide fleet for every test folder

TEST_SECRET = "x7Kq2Vb9Lm4Np8Rs3Tw6Yz1Ac5De0Fg_Hj-Ik2Lo9Pu"
PG_ENV = "CHATOPS_TEST_DATABASE_URL"

# CI explores the same examples on every run (a failure there is reproducible, never a fluke of the
# seed); developers' runs keep exploring new random examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
__all__ = ["fleet", "fleet_executor"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "chatops.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def _admin_execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set (`.ci/run` sets it to the local PostgreSQL)")
    name = f"chatops_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_execute(base, f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL, on an empty schema."""
    if request.param == "sqlite":
        target = tmp_path / "chatops.db"
        shutil.copyfile(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate(url))
    return url


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path, "database_url": database_url, "jwt_secret": TEST_SECRET,
        "encryption_key": TEST_SECRET, "log_json": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[bootstrap.Container]:
    built = await bootstrap.build(settings)
    try:
        yield built
    finally:
        await built.aclose()
