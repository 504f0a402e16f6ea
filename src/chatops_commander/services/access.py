"""Authorization in the application services: role checks for administration, per-server
checks for actions, API-token scopes, the admin IP allowlist and "2FA required for admins".

Every refusal is audited (AUTHORIZATION_DENIED, in its own transaction) before
`PermissionDenied` (403, English/French message) is raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn
from uuid import UUID

from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.domain.security import authorization
from chatops_commander.domain.security.api_tokens import scope_permits
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.security.authorization import Decision, ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.services import audit
from chatops_commander.services.ports import UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.principal import Principal


async def deny(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, action: str, code: str, en: str, fr: str,
    target: str | None = None,
) -> NoReturn:
    await audit.record_alone(uow_factory, principal, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                             target=target, details={"action": action, "reason": code, "role": principal.role})
    raise PermissionDenied(en, message_fr=fr)


def _precheck(principal: Principal, permission: Permission) -> tuple[str, str, str] | None:
    """Refusals that do not depend on the role matrix (code, en, fr)."""
    if principal.must_enroll_2fa:
        return ("2fa_required",
                "Two-factor authentication is required for admins: enrol first (POST /api/v1/auth/2fa/enroll).",
                "L'authentification à deux facteurs est obligatoire pour les admins : activez-la d'abord "
                "(POST /api/v1/auth/2fa/enroll).")
    if principal.scopes is not None and not scope_permits(principal.scopes, permission):
        scopes = ", ".join(sorted(principal.scopes)) or "none"
        return ("scope_forbids",
                f"This API token's scopes ({scopes}) do not allow {permission.value} operations"
                f"{'; administration needs an interactive login' if permission is Permission.ADMIN else ''}.",
                f"Les portées de ce jeton d'API ({scopes}) ne permettent pas les opérations {permission.value}"
                f"{' ; l’administration demande une connexion interactive' if permission is Permission.ADMIN else ''}.")
    if permission is Permission.ADMIN and not principal.admin_network_ok:
        return ("ip_not_allowed",
                "Administration is not allowed from your network address.",
                "L'administration n'est pas autorisée depuis votre adresse réseau.")
    return None


async def require_may_change(uow_factory: UnitOfWorkFactory, principal: Principal, *, action: str) -> None:
    """The one scope guard of every door (API methods other than GET, web forms, WebSocket messages):
    a read-only principal (an API token without `execute`) changes nothing. Refusals are audited."""
    if principal.read_only:
        scopes = ", ".join(sorted(principal.scopes or ())) or "none"
        await deny(uow_factory, principal, action=action, code="scope_forbids",
                   en=f"This API token's scopes ({scopes}) only allow reading; this request changes something "
                      "(it needs a token with the execute scope, or an interactive login).",
                   fr=f"Les portées de ce jeton d'API ({scopes}) ne permettent que la lecture ; cette requête "
                      "modifie quelque chose (il faut un jeton avec la portée execute, ou une connexion interactive).")


async def require(
    uow_factory: UnitOfWorkFactory, principal: Principal, minimum: Role, *, action: str,
    permission: Permission | None = None, target: str | None = None,
) -> None:
    """Allow `principal` to perform `action` when its role is at least `minimum`."""
    needed = permission or (Permission.ADMIN if minimum is Role.ADMIN else Permission.READ)
    refused = _precheck(principal, needed)
    if refused is not None:
        await deny(uow_factory, principal, action=action, code=refused[0], en=refused[1], fr=refused[2],
                   target=target)
    if not principal.role.at_least(minimum):
        await deny(uow_factory, principal, action=action, code="role_forbids", target=target,
                   en=f"This needs the {minimum.value} role; your role is {principal.role.value}.",
                   fr=f"Cette opération demande le rôle {minimum.value} ; votre rôle est {principal.role.value}.")


async def authorize_on_servers(
    uow_factory: UnitOfWorkFactory, principal: Principal, servers: Sequence[Server], *,
    permission: Permission, risk: Risk, action_id: str, approval_for_operators: bool = False,
) -> Decision:
    """The RBAC decision for running `action_id` on `servers` (role matrix + per-server rows).

    A refusal is audited and raised (`PermissionDenied`); an allowed decision is returned (it
    says whether confirmation or an admin's approval is needed).
    """
    refused = _precheck(principal, permission)
    targets = ",".join(sorted(s.name for s in servers)) or None
    if refused is not None:
        await deny(uow_factory, principal, action=action_id, code=refused[0], en=refused[1], fr=refused[2],
                   target=targets)
    rows: dict[str, ServerPermission | None] = {s.name: None for s in servers}
    if principal.role is not Role.ADMIN and principal.user_id is not None and servers:
        async with uow_factory() as uow:
            found = await permissions_on(uow, principal.user_id, servers)
        rows = {s.name: found.get(s.id) if s.id else None for s in servers}
    decision = authorization.authorize_on_servers(principal.role, permission, risk, rows, action_id=action_id,
                                                  approval_for_operators=approval_for_operators)
    if not decision.allowed:
        await deny(uow_factory, principal, action=action_id, code=decision.code, en=decision.reason_en,
                   fr=decision.reason_fr, target=targets)
    return decision


# --- permission resolution (per server, then by tag) ---------------------------------------------

async def permissions_on(uow: UnitOfWork, user_id: UUID, servers: Sequence[Server]) -> dict[UUID, ServerPermission]:
    """What `user_id` holds on each of `servers`: the server's own row, else its tags' grants
    (`authorization.effective_permission`); servers with nothing are absent."""
    ids = [s.id for s in servers if s.id is not None]
    rows = await uow.permissions.for_servers(user_id, ids)
    tag_grants = await uow.permissions.tag_grants(user_id)
    out: dict[UUID, ServerPermission] = {}
    for server in servers:
        if server.id is None:
            continue
        found = authorization.effective_permission(rows.get(server.id), server.tags, tag_grants)
        if found is not None:
            out[server.id] = found
    return out


async def readable_server_ids(uow: UnitOfWork, principal: Principal) -> set[UUID] | None:
    """The servers a non-admin may read (own row or a tag grant with `can_read` or higher); None: every
    server (admins). A server outside this set does not exist for them, on every door."""
    if principal.role is Role.ADMIN:
        return None
    if principal.user_id is None:
        return set()  # fail closed
    servers = await uow.servers.list()
    held = await permissions_on(uow, principal.user_id, servers)
    return {server_id for server_id, grant in held.items() if grant.grants(Permission.READ)}


@dataclass(frozen=True)
class FleetView:
    """A fleet-wide answer's scope: the servers the user may read, and how many others exist."""
    servers: list[Server]
    left_out: int


async def fleet_view(uow_factory: UnitOfWorkFactory, principal: Principal, servers: Sequence[Server]) -> FleetView:
    """Split `servers` (e.g. every registered server) into what `principal` may read and a count of the
    rest, so a fleet answer covers what it can and says "N servers you may not read were left out"
    instead of failing on the first host without a grant."""
    async with uow_factory() as uow:
        readable = await readable_server_ids(uow, principal)
    if readable is None:
        return FleetView(list(servers), 0)
    visible = [s for s in servers if s.id in readable]
    return FleetView(visible, len(servers) - len(visible))
