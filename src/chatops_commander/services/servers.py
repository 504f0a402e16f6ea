"""Server registry use cases: add, update, list, remove, import (all or nothing), SSH secrets.

Every use case takes the acting `Principal`: viewers and up read the registry, admins change
it; changes are audited in their transaction. SSH private keys and passwords are sealed with
AES-256-GCM (bound to the server id) and never returned by any read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from chatops_commander.domain.errors import Conflict, NotFound, ValidationFailed
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.servers import LOCALHOST, Connection, Server, check_server_fields
from chatops_commander.services import access, audit
from chatops_commander.services.kit import SecurityKit, server_secret_aad
from chatops_commander.services.ports import UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.ports_execution import Executor
from chatops_commander.services.principal import Principal
from chatops_commander.skills.detect import PROBE, parse_probe

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


def _summary(server: Server) -> dict[str, object]:
    return {"name": server.name, "hostname": server.hostname, "ip_address": server.ip_address, "port": server.port,
            "ssh_user": server.ssh_user, "tags": list(server.tags)}


async def add_server(uow_factory: UnitOfWorkFactory, principal: Principal, server: Server) -> Server:
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.add", target=server.name)
    server = _validated(server)
    async with uow_factory() as uow:
        if await uow.servers.get_by_name(server.name):
            raise Conflict(f"A server named {server.name!r} already exists.",
                           message_fr=f"Un serveur nommé {server.name!r} existe déjà.")
        created = await uow.servers.add(server)
        await audit.record(uow, principal, AuditAction.SERVER_ADDED, target=created.name, details=_summary(created))
        await uow.commit()
        return created


async def update_server(
    uow_factory: UnitOfWorkFactory, principal: Principal, server_id: UUID, **changes: object,
) -> Server:
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.update", target=str(server_id))
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
        await audit.record(uow, principal, AuditAction.SERVER_UPDATED, target=saved.name,
                           details={"changed": sorted(changes)})
        await uow.commit()
        return saved


FEW_BY_NAME = 10  # up to this many servers are read by name, more by one read of the inventory


async def servers_named(uow_factory: UnitOfWorkFactory, names: Sequence[str]) -> list[Server]:
    """The servers called `names`, in that order; NotFound naming every missing one (EN/FR)."""
    async with uow_factory() as uow:
        if len(names) > FEW_BY_NAME:  # one query for the inventory rather than one per name
            by_name = {s.name.lower(): s for s in await uow.servers.list(limit=1_000_000)}
            found = [by_name.get(n.lower()) for n in names]
        else:
            found = [await uow.servers.get_by_name(n) for n in names]
    missing = [n for n, s in zip(names, found, strict=True) if s is None]
    if missing:
        raise NotFound(f"Unknown server(s): {', '.join(missing)}.",
                       message_fr=f"Serveur(s) inconnu(s) : {', '.join(missing)}.")
    return [s for s in found if s is not None]


async def readable_server_ids(uow: UnitOfWork, principal: Principal) -> set[UUID] | None:
    """The servers a non-admin may see (own row or tag grant with `can_read`, or a higher flag); None: every
    server (admins). Resolution lives in `access.readable_server_ids`."""
    return await access.readable_server_ids(uow, principal)


async def get_server(uow_factory: UnitOfWorkFactory, principal: Principal, ref: str | UUID) -> Server:
    """One server; a non-admin without read permission on it is told it does not exist (no inventory leak)."""
    await access.require(uow_factory, principal, Role.VIEWER, action="servers.read", target=str(ref))
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        readable = await readable_server_ids(uow, principal)
        if found is None or (readable is not None and found.id not in readable):
            raise _not_found(str(ref))
        return found


async def list_servers(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, tag: str | None = None, offset: int = 0,
    limit: int = 1000,
) -> list[Server]:
    """Every server for admins; for others, the servers their per-server permissions let them read."""
    await access.require(uow_factory, principal, Role.VIEWER, action="servers.list")
    async with uow_factory() as uow:
        readable = await readable_server_ids(uow, principal)
        if readable is None:
            return await uow.servers.list(tag=tag, offset=offset, limit=limit)
        visible = [s for s in await uow.servers.list(tag=tag) if s.id in readable]
        return visible[offset:offset + limit]


@dataclass(frozen=True)
class ConnectionCheck:
    server: str
    ok: bool
    duration_ms: int
    service_manager: str | None = None
    error: str | None = None
    outcome: str = "ok"  # a HostOutcome value: unreachable, auth_failed, host_key_unknown, host_key_mismatch...

    def message(self, lang: str) -> str:
        if not self.ok and self.outcome.startswith(("host_key", "auth")):  # it answered: no "can't reach"
            return (f"{self.server} a répondu mais la connexion est refusée : {self.error}" if lang == "fr"
                    else f"{self.server} answered but the connection was refused: {self.error}")
        if not self.ok:
            return (f"Je n'arrive pas à joindre {self.server} : {self.error}" if lang == "fr"
                    else f"I can't reach {self.server}: {self.error}")
        return (f"✅ {self.server} répond en {self.duration_ms} ms (services : {self.service_manager})."
                if lang == "fr" else
                f"✅ {self.server} answers in {self.duration_ms} ms (services: {self.service_manager}).")


async def check_connection(uow_factory: UnitOfWorkFactory, executor: Executor, principal: Principal,
                          ref: str | UUID) -> ConnectionCheck:
    """Connect once and run the read-only platform probe (admin); a first SSH contact pins the host key when
    the server's policy is TOFU."""
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.test", target=str(ref))
    server = await get_server(uow_factory, principal, ref)
    res = await executor.run(server, PROBE)
    if not res.ok:
        why = res.message or res.stderr.strip()[:200] or res.outcome.value
        return ConnectionCheck(server.name, False, res.duration_ms, error=why, outcome=res.outcome.value)
    return ConnectionCheck(server.name, True, res.duration_ms, parse_probe(res.stdout).service_manager.value)


async def check_connections(uow_factory: UnitOfWorkFactory, executor: Executor, principal: Principal,
                            refs: Sequence[str | UUID], *, concurrency: int) -> AsyncIterator[ConnectionCheck]:
    """`check_connection` on each server, at most `concurrency` at once (the fan-out's bound: an sshd drops
    handshakes beyond its MaxStartups, and so would a client's file descriptors); results as they come."""
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.test", target=f"{len(refs)} servers")
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(ref: str | UUID) -> ConnectionCheck:
        async with slots:
            return await check_connection(uow_factory, executor, principal, ref)

    tasks = [asyncio.ensure_future(one(ref)) for ref in refs]
    try:
        for done in asyncio.as_completed(tasks):
            yield await done
    finally:
        for task in tasks:
            task.cancel()


async def remove_server(uow_factory: UnitOfWorkFactory, principal: Principal, ref: str | UUID) -> Server:
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.remove", target=str(ref))
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        if found is None or found.id is None:
            raise _not_found(str(ref))
        await uow.servers.remove(found.id)
        await audit.record(uow, principal, AuditAction.SERVER_REMOVED, target=found.name, details=_summary(found))
        await uow.commit()
        return found


@dataclass(frozen=True)
class ImportReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]


async def import_servers(
    uow_factory: UnitOfWorkFactory, principal: Principal, drafts: Sequence[Server], *,
    resolver: Resolver = resolve_address,
) -> ImportReport:
    """Create or update (by name) every draft in one transaction; nothing is written on error."""
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.import")
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
        for name in created:
            await audit.record(uow, principal, AuditAction.SERVER_ADDED, target=name, details={"import": True})
        for name in updated:
            await audit.record(uow, principal, AuditAction.SERVER_UPDATED, target=name, details={"import": True})
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


SECRET_KINDS = ("private_key", "password")
MAX_SECRET_CHARS = 64 * 1024


async def set_server_secret(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, ref: str | UUID, *, kind: str,
    value: str | None,
) -> Server:
    """Store (or with None, clear) the server's SSH private key or password, sealed."""
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.secret", target=str(ref))
    if value is not None:
        problems = []
        if kind not in SECRET_KINDS:
            problems.append(("kind", "must be private_key or password"))
        if not value.strip() or len(value) > MAX_SECRET_CHARS:
            problems.append(("value", f"must be 1 to {MAX_SECRET_CHARS} characters"))
        elif kind == "private_key" and "PRIVATE KEY-----" not in value:
            problems.append(("value", "is not a PEM/OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)"))
        if problems:
            raise ValidationFailed(problems)
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        if found is None or found.id is None:
            raise _not_found(str(ref))
        sealed = None if value is None else kit.secrets.encrypt(
            json.dumps({"kind": kind, "value": value}), associated_data=server_secret_aad(found.id))
        await uow.servers.set_secret(found.id, sealed)
        await audit.record(uow, principal, AuditAction.SERVER_UPDATED, target=found.name,
                           details={"secret": "cleared" if value is None else "set", "kind": kind})
        await uow.commit()
        return found


async def read_server_secret(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, server_id: UUID,
) -> tuple[str, str] | None:
    """(kind, value) of a server's SSH secret, for the executors only (never for an API answer)."""
    async with uow_factory() as uow:
        sealed = await uow.servers.get_secret(server_id)
    if sealed is None:
        return None
    data = json.loads(kit.secrets.decrypt_text(sealed, associated_data=server_secret_aad(server_id)))
    return str(data["kind"]), str(data["value"])


async def has_secret(uow_factory: UnitOfWorkFactory, server_id: UUID) -> bool:
    async with uow_factory() as uow:
        return await uow.servers.get_secret(server_id) is not None


def _not_found(ref: str) -> NotFound:
    return NotFound(f"No server named {ref!r}. List them with `chatops servers list`.",
                    message_fr=f"Aucun serveur nommé {ref!r}. Listez-les avec `chatops servers list`.")


async def pin_host_key(uow_factory: UnitOfWorkFactory, server_id: UUID, fingerprint: str) -> None:
    """Store the fingerprint of a key trusted on first use; an already pinned key is never replaced."""
    async with uow_factory() as uow:
        server = await uow.servers.get(server_id)
        if server is None or server.host_key_fingerprint:
            return
        await uow.servers.update(dataclasses.replace(server, host_key_fingerprint=fingerprint))
        await uow.commit()


async def trust_host_key(uow_factory: UnitOfWorkFactory, principal: Principal, ref: str | UUID,
                         fingerprint: str) -> Server:
    """Pin `fingerprint` as the server's host key (admin, audited), replacing any earlier pin: the SSH executor
    then accepts exactly that key for a host that known_hosts does not list."""
    await access.require(uow_factory, principal, Role.ADMIN, action="servers.trust", target=str(ref))
    if not fingerprint.startswith("SHA256:"):
        raise ValidationFailed([("fingerprint", "must be a SHA256 fingerprint (SHA256:...)")])
    async with uow_factory() as uow:
        found = await (uow.servers.get(ref) if isinstance(ref, UUID) else uow.servers.get_by_name(ref))
        if found is None or found.id is None:
            raise _not_found(str(ref))
        saved = await uow.servers.update(dataclasses.replace(found, host_key_fingerprint=fingerprint))
        await audit.record(uow, principal, AuditAction.SERVER_UPDATED, target=saved.name,
                           details={"host_key_trusted": fingerprint, "previous": found.host_key_fingerprint})
        await uow.commit()
        return saved
