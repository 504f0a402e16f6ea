"""Key rotation for secrets at rest: re-encrypt every sealed value (servers' SSH secrets,
users' TOTP secrets) under the keyring's current key, in one audited transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import access, audit
from chatops_commander.services.kit import server_secret_aad, totp_secret_aad
from chatops_commander.services.ports import SecretSealer, UnitOfWorkFactory
from chatops_commander.services.principal import Principal


@dataclass(frozen=True)
class RotationReport:
    kid: str
    servers: int
    totp_secrets: int


async def reencrypt_all(uow_factory: UnitOfWorkFactory, box: SecretSealer, principal: Principal, *,
                        kid: str) -> RotationReport:
    """`box` holds every key (old ones decrypt) and encrypts with `kid`. All or nothing: one
    unreadable secret aborts before anything is written."""
    await access.require(uow_factory, principal, Role.ADMIN, action="keys.rotate")
    async with uow_factory() as uow:
        servers = [(sid, box.reencrypt(sealed, associated_data=server_secret_aad(sid)))
                   for sid, sealed in await uow.servers.list_secrets() if box.needs_reencrypt(sealed)]
        users = [dataclasses.replace(u, totp_secret=box.reencrypt(u.totp_secret, associated_data=totp_secret_aad(u.id)))
                 for u in await uow.users.list() if u.totp_secret and box.needs_reencrypt(u.totp_secret)]
        for sid, sealed in servers:
            await uow.servers.set_secret(sid, sealed)
        for user in users:
            await uow.users.update(user)
        await audit.record(uow, principal, AuditAction.KEY_ROTATED, target=kid,
                           details={"kid": kid, "servers": len(servers), "totp_secrets": len(users)})
        await uow.commit()
    return RotationReport(kid, len(servers), len(users))
