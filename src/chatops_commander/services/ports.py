"""Ports: what the application services need from the outside world (Protocols).

Adapters implement them; `bootstrap.py` picks the implementations; tests use the same ones on
SQLite and PostgreSQL (real components) or the fakes of `adapters/fakes.py` where a port has no
cheap real counterpart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from chatops_commander.domain.servers import Server, ServerStatus


class ServerRepository(Protocol):
    async def add(self, server: Server) -> Server: ...
    async def update(self, server: Server) -> Server: ...
    async def get(self, server_id: UUID) -> Server | None: ...
    async def get_by_name(self, name: str) -> Server | None: ...
    async def list(self, *, tag: str | None = None, offset: int = 0, limit: int = 1000) -> list[Server]: ...
    async def count(self) -> int: ...
    async def remove(self, server_id: UUID) -> bool: ...
    async def set_status(self, server_id: UUID, status: ServerStatus, checked_at: datetime) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: commit explicitly, roll back on exit otherwise."""

    @property
    def servers(self) -> ServerRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class DatabaseProbe(Protocol):
    async def ping(self) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


ServerList = Sequence[Server]
