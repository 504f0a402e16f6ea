"""Server registry use cases: add, update, list, remove, import (all or nothing)."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from chatops_commander.domain.errors import Conflict, NotFound, ValidationFailed
from chatops_commander.domain.servers import LOCALHOST, Connection, Server, check_server_fields
from chatops_commander.services.ports import UnitOfWorkFactory

Resolver = Callable[[str], str | None]


def resolve_address(hostname: str) -> str | None:
    """The first address of `hostname`, or None when it does not resolve."""
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(hostname, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    return str(infos[0][4][0]) if infos else None


def _validated(server: Server) -> Server:
    check_server_fields(
        name=server.name, hostname=server.hostname, ip_address=server.ip_address, port=server.port,
        ssh_user=server.ssh_user, tags=server.tags, services=server.services,
    )
    return dataclasses.replace(server, tags=tuple(dict.fromkeys(server.tags)),
                               services=tuple(dict.fromkeys(server.services)))


async def add_server(uow_factory: UnitOfWorkFactory, server: Server) -> Server:
    server = _validated(server)
    async with uow_factory() as uow:
        if await uow.servers.get_by_name(server.name):
            raise Conflict(f"A server named {server.name!r} already exists.",
                           message_fr=f"Un serveur nommé {server.name!r} existe déjà.")
        created = await uow.servers.add(server)
        await uow.commit()
        return created


async def update_server(uow_factory: UnitOfWorkFactory, server_id: UUID, **changes: object) -> Server:
    async with uow_factory() as uow:
        current = await uow.servers.get(server_id)
        if current is None:
            raise _not_found(str(server_id))
        updated = _validated(dataclasses.replace(current, **changes))  # type: ignore[arg-type]
        if updated.name.lower() != current.name.lower():
            other = await uow.servers.get_by_name(updated.name)
            if other and other.id != server_id:
                raise Conflict(f"A server named {updated.name!r} already exists.",
                               message_fr=f"Un serveur nommé {updated.name!r} existe déjà.")
        saved = await uow.servers.update(updated)
        await uow.commit()
        return saved


async def get_server(uow_factory: UnitOfWorkFactory, ref: str | UUID) -> Server:
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        if found is None:
            raise _not_found(str(ref))
        return found


async def list_servers(
    uow_factory: UnitOfWorkFactory, *, tag: str | None = None, offset: int = 0, limit: int = 1000,
) -> list[Server]:
    async with uow_factory() as uow:
        return await uow.servers.list(tag=tag, offset=offset, limit=limit)


async def remove_server(uow_factory: UnitOfWorkFactory, ref: str | UUID) -> Server:
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        if found is None or found.id is None:
            raise _not_found(str(ref))
        await uow.servers.remove(found.id)
        await uow.commit()
        return found


@dataclass(frozen=True)
class ImportReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]


async def import_servers(
    uow_factory: UnitOfWorkFactory, drafts: Sequence[Server], *, resolver: Resolver = resolve_address,
) -> ImportReport:
    """Create or update (by name) every draft in one transaction; nothing is written on error."""
    problems: list[tuple[str, str]] = []
    ready: list[Server] = []
    for draft in drafts:
        if not draft.ip_address:
            address = resolver(draft.hostname)
            if address is None:
                problems.append((draft.name, f"hostname {draft.hostname!r} does not resolve; "
                                             "set ansible_host to an IP address"))
                continue
            draft = dataclasses.replace(draft, ip_address=address)
        try:
            ready.append(_validated(draft))
        except ValidationFailed as exc:
            problems.extend((f"{draft.name}.{f}", p) for f, p in exc.problems)
    if problems:
        raise ValidationFailed(problems)
    created: list[str] = []
    updated: list[str] = []
    async with uow_factory() as uow:
        for server in ready:
            existing = await uow.servers.get_by_name(server.name)
            if existing is None:
                await uow.servers.add(server)
                created.append(server.name)
            else:
                keep = {"id": existing.id, "created_at": existing.created_at, "created_by": existing.created_by,
                        "host_key_fingerprint": existing.host_key_fingerprint, "status": existing.status,
                        "last_check": existing.last_check, "connection": existing.connection,
                        "host_key_policy": existing.host_key_policy}
                await uow.servers.update(dataclasses.replace(server, **keep))  # type: ignore[arg-type]
                updated.append(server.name)
        await uow.commit()
    return ImportReport(tuple(created), tuple(updated))


async def ensure_localhost(uow_factory: UnitOfWorkFactory, *, ssh_user: str) -> Server:
    """Register this machine as server `localhost` (local connection, no SSH) if absent."""
    async with uow_factory() as uow:
        existing = await uow.servers.get_by_name(LOCALHOST)
        if existing:
            return existing
        server = _validated(Server(
            name=LOCALHOST, hostname=LOCALHOST, ip_address="127.0.0.1", port=22, ssh_user=ssh_user,
            tags=("local",), connection=Connection.LOCAL,
        ))
        created = await uow.servers.add(server)
        await uow.commit()
        return created


def _not_found(ref: str) -> NotFound:
    return NotFound(f"No server named {ref!r}. List them with `chatops servers list`.",
                    message_fr=f"Aucun serveur nommé {ref!r}. Listez-les avec `chatops servers list`.")
