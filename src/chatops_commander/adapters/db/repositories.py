"""Repositories: rows ↔ domain dataclasses, no commits (the unit of work owns them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from chatops_commander.adapters.db.tables import servers as t_servers
from chatops_commander.adapters.db.types import utcnow
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server, ServerStatus

_SERVER_FIELDS = (
    "name", "hostname", "ip_address", "port", "ssh_user", "ssh_key_path", "become", "connection",
    "host_key_policy", "host_key_fingerprint", "status", "last_check", "created_by",
)


def _server_from_row(row: RowMapping) -> Server:
    return Server(
        id=row["id"], name=row["name"], hostname=row["hostname"], ip_address=row["ip_address"],
        port=row["port"], ssh_user=row["ssh_user"], ssh_key_path=row["ssh_key_path"], become=bool(row["become"]),
        tags=tuple(row["tags"] or ()), services=tuple(row["services"] or ()),
        connection=Connection(row["connection"]), host_key_policy=HostKeyPolicy(row["host_key_policy"]),
        host_key_fingerprint=row["host_key_fingerprint"], status=ServerStatus(row["status"]),
        last_check=row["last_check"], created_at=row["created_at"], created_by=row["created_by"],
    )


def _server_values(server: Server) -> dict[str, Any]:
    values = {f: getattr(server, f) for f in _SERVER_FIELDS}
    values["connection"] = server.connection.value
    values["host_key_policy"] = server.host_key_policy.value
    values["status"] = server.status.value
    values["tags"] = list(server.tags)
    values["services"] = list(server.services)
    return values


class SqlServerSecrets:
    """The encrypted `servers.ssh_secret` column (mixed into the server repository)."""

    _session: AsyncSession

    async def set_secret(self, server_id: UUID, sealed: str | None) -> None:
        await self._session.execute(
            update(t_servers).where(t_servers.c.id == server_id).values(ssh_secret=sealed, updated_at=utcnow()))

    async def get_secret(self, server_id: UUID) -> str | None:
        stmt = select(t_servers.c.ssh_secret).where(t_servers.c.id == server_id)
        value = (await self._session.execute(stmt)).scalar_one_or_none()
        return None if value is None else str(value)

    async def list_secrets(self) -> list[tuple[UUID, str]]:
        stmt = select(t_servers.c.id, t_servers.c.ssh_secret).where(t_servers.c.ssh_secret.is_not(None))
        return [(row[0], str(row[1])) for row in (await self._session.execute(stmt)).all()]


class SqlServerRepository(SqlServerSecrets):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, server: Server) -> Server:
        server_id = server.id or uuid.uuid4()
        values = _server_values(server) | {"id": server_id, "created_at": server.created_at or utcnow()}
        await self._session.execute(t_servers.insert().values(**values))
        found = await self.get(server_id)
        assert found is not None
        return found

    async def update(self, server: Server) -> Server:
        assert server.id is not None
        values = _server_values(server) | {"updated_at": utcnow()}
        await self._session.execute(update(t_servers).where(t_servers.c.id == server.id).values(**values))
        found = await self.get(server.id)
        assert found is not None
        return found

    async def get(self, server_id: UUID) -> Server | None:
        row = (await self._session.execute(select(t_servers).where(t_servers.c.id == server_id))).mappings().first()
        return _server_from_row(row) if row else None

    async def get_by_name(self, name: str) -> Server | None:
        stmt = select(t_servers).where(func.lower(t_servers.c.name) == name.lower())
        row = (await self._session.execute(stmt)).mappings().first()
        return _server_from_row(row) if row else None

    async def list(self, *, tag: str | None = None, offset: int = 0, limit: int = 1000) -> list[Server]:
        stmt = select(t_servers).order_by(t_servers.c.name)
        rows = (await self._session.execute(stmt)).mappings().all()
        found = [_server_from_row(r) for r in rows]
        if tag is not None:
            found = [s for s in found if tag in s.tags]
        return found[offset:offset + limit]

    async def count(self) -> int:
        return int((await self._session.execute(select(func.count()).select_from(t_servers))).scalar_one())

    async def remove(self, server_id: UUID) -> bool:
        result = await self._session.execute(delete(t_servers).where(t_servers.c.id == server_id))
        return bool(getattr(result, "rowcount", 0))

    async def set_status(self, server_id: UUID, status: ServerStatus, checked_at: datetime) -> None:
        await self._session.execute(
            update(t_servers).where(t_servers.c.id == server_id)
            .values(status=status.value, last_check=checked_at)
        )
