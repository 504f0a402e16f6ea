"""API tokens for bots and CI: named, scoped (read / execute), expiring, shown once, stored
hashed (HMAC with a server pepper), revocable, rotated with a grace period the caller picks.
Managing them needs the admin role and an interactive login (an API token cannot mint more)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from chatops_commander.domain.errors import NotFound
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security import api_tokens as domain
from chatops_commander.domain.security.api_tokens import ApiToken
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import access, audit
from chatops_commander.services.kit import SecurityKit
from chatops_commander.services.ports import UnitOfWorkFactory
from chatops_commander.services.principal import Principal

DEFAULT_LIFETIME = timedelta(days=90)
DEFAULT_GRACE = timedelta(hours=24)


def _not_found(token_id: UUID) -> NotFound:
    return NotFound(f"No API token {token_id} of yours.", message_fr=f"Aucun jeton d'API {token_id} à vous.")


async def create_token(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, *, name: str, scopes: list[str],
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """(the stored token, its secret value — shown once)."""
    await access.require(uow_factory, principal, Role.ADMIN, action="tokens.create", target=name)
    assert principal.user_id is not None
    now = kit.now()
    parsed = domain.validate_new_token(name, scopes, expires_at or now + DEFAULT_LIFETIME, now)
    secret = kit.opaque.new_api_token()
    token = ApiToken(id=str(uuid.uuid4()), user_id=str(principal.user_id), name=name.strip(),
                     token_hash=kit.token_hasher.hash(secret), scopes=parsed, created_at=now,
                     expires_at=expires_at or now + DEFAULT_LIFETIME, display_prefix=kit.opaque.display_prefix(secret))
    async with uow_factory() as uow:
        await uow.api_tokens.add(token)
        await audit.record(uow, principal, AuditAction.TOKEN_ISSUED, target=token.id,
                           details={"name": token.name, "scopes": sorted(parsed), "expires_at": token.expires_at})
        await uow.commit()
    return token, secret


async def list_tokens(uow_factory: UnitOfWorkFactory, principal: Principal) -> list[ApiToken]:
    await access.require(uow_factory, principal, Role.ADMIN, action="tokens.list")
    assert principal.user_id is not None
    async with uow_factory() as uow:
        return await uow.api_tokens.list_for_user(principal.user_id)


async def _own(uow_factory: UnitOfWorkFactory, principal: Principal, token_id: UUID) -> ApiToken:
    async with uow_factory() as uow:
        found = await uow.api_tokens.get(token_id)
    if found is None or found.user_id != str(principal.user_id):
        raise _not_found(token_id)
    return found


async def revoke_token(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal,
                       token_id: UUID) -> ApiToken:
    await access.require(uow_factory, principal, Role.ADMIN, action="tokens.revoke", target=str(token_id))
    found = await _own(uow_factory, principal, token_id)
    revoked = domain.revoke(found, kit.now())
    async with uow_factory() as uow:
        await uow.api_tokens.save(revoked)
        await audit.record(uow, principal, AuditAction.TOKEN_REVOKED, target=found.id, details={"name": found.name})
        await uow.commit()
    return revoked


async def rotate_token(uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, token_id: UUID,
                       *, grace: timedelta = DEFAULT_GRACE) -> tuple[ApiToken, str]:
    """A new token with the same name and scopes; the old one keeps working for `grace`."""
    await access.require(uow_factory, principal, Role.ADMIN, action="tokens.rotate", target=str(token_id))
    found = await _own(uow_factory, principal, token_id)
    secret = kit.opaque.new_api_token()
    old, new = domain.rotate(found, new_id=str(uuid.uuid4()), new_token_hash=kit.token_hasher.hash(secret),
                             new_display_prefix=kit.opaque.display_prefix(secret), now=kit.now(), grace=grace)
    async with uow_factory() as uow:
        await uow.api_tokens.save(old)
        await uow.api_tokens.add(new)
        await audit.record(uow, principal, AuditAction.TOKEN_ROTATED, target=old.id,
                           details={"new_token_id": new.id, "grace_until": old.grace_until})
        await uow.commit()
    return new, secret
