"""User administration: create (password policy + argon2id), list, set role, disable, reset
password, per-server permissions, and the first admin. Admin only; every change audited in
its transaction. Changing a password or a role, or disabling, revokes the user's sessions
(`sessions_valid_after` + every refresh family)."""

from __future__ import annotations

import dataclasses
import secrets
import string
from datetime import datetime
from uuid import UUID

from chatops_commander.domain.errors import Conflict, NotFound, ValidationFailed
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.security.password_policy import check_password
from chatops_commander.domain.security.refresh_sessions import RevokeReason, revoke_family
from chatops_commander.domain.servers import TAG_RE
from chatops_commander.domain.users import EMAIL_RE, NAME_MAX, User, normalize_email
from chatops_commander.services import access, audit
from chatops_commander.services.kit import SecurityKit
from chatops_commander.services.ports import UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.principal import AuthMethod, Principal

DEFAULT_ADMIN_EMAIL = "admin@localhost"
UserRef = UUID | str


def _check_identity(email: str, name: str) -> None:
    problems = []
    if not EMAIL_RE.fullmatch(email):
        problems.append(("email", "must be an e-mail address such as alice@example.com"))
    if not name.strip() or len(name) > NAME_MAX:
        problems.append(("name", f"must be 1 to {NAME_MAX} characters"))
    if problems:
        raise ValidationFailed(problems)


def _not_found(ref: UserRef) -> NotFound:
    return NotFound(f"No user {str(ref)!r}. List them with `chatops users list`.",
                    message_fr=f"Aucun utilisateur {str(ref)!r}. Listez-les avec `chatops users list`.")


async def _load(uow: UnitOfWork, ref: UserRef) -> User:
    found = await (uow.users.get(ref) if isinstance(ref, UUID) else uow.users.get_by_email(ref))
    if found is None:
        raise _not_found(ref)
    return found


async def revoke_sessions(uow: UnitOfWork, user: User, *, now: datetime, reason: str) -> User:
    """Every access token issued before `now` and every refresh family of `user` stop working."""
    assert user.id is not None
    await uow.refresh_sessions.save(revoke_family(await uow.refresh_sessions.for_user(user.id), now=now,
                                                  reason=reason))
    return await uow.users.update(dataclasses.replace(user, sessions_valid_after=now))


async def _active_admins(uow: UnitOfWork) -> list[User]:
    return [u for u in await uow.users.list() if u.role is Role.ADMIN and u.is_active]


def _last_admin() -> Conflict:
    return Conflict("This is the last active admin: create or promote another admin first.",
                    message_fr="C'est le dernier admin actif : créez ou promouvez d'abord un autre admin.")


def hash_new_password(kit: SecurityKit, password: str, email: str) -> str:
    check_password(password, email=email, common_passwords=kit.common_passwords)
    return kit.passwords.hash(password)


async def create_user(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, *, email: str, name: str,
    role: Role, password: str,
) -> User:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.create", target=email)
    email = normalize_email(email)
    _check_identity(email, name)
    password_hash = hash_new_password(kit, password, email)
    async with uow_factory() as uow:
        if await uow.users.get_by_email(email):
            raise Conflict(f"A user with e-mail {email!r} already exists.",
                           message_fr=f"Un utilisateur avec l'e-mail {email!r} existe déjà.")
        now = kit.now()
        created = await uow.users.add(User(email=email, name=name.strip(), role=role, password_hash=password_hash,
                                           password_changed_at=now))
        await audit.record(uow, principal, AuditAction.USER_CREATED, target=email,
                           details={"role": role, "new_user_id": str(created.id)})
        await uow.commit()
        return created


async def list_users(uow_factory: UnitOfWorkFactory, principal: Principal) -> list[User]:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.list")
    async with uow_factory() as uow:
        return await uow.users.list()


async def get_user(uow_factory: UnitOfWorkFactory, principal: Principal, ref: UserRef) -> User:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.read", target=str(ref))
    async with uow_factory() as uow:
        return await _load(uow, ref)


async def set_role(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, ref: UserRef, role: Role,
) -> User:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.set_role", target=str(ref))
    async with uow_factory() as uow:
        user = await _load(uow, ref)
        if user.role is role:
            return user
        if user.role is Role.ADMIN and [u.id for u in await _active_admins(uow)] == [user.id]:
            raise _last_admin()
        now = kit.now()
        updated = await uow.users.update(dataclasses.replace(user, role=role))
        updated = await revoke_sessions(uow, updated, now=now, reason=RevokeReason.ROLE_CHANGED)
        await audit.record(uow, principal, AuditAction.USER_ROLE_CHANGED, target=user.email,
                           details={"from": user.role, "to": role, "sessions_revoked": True})
        await uow.commit()
        return updated


async def disable_user(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, ref: UserRef,
) -> User:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.disable", target=str(ref))
    async with uow_factory() as uow:
        user = await _load(uow, ref)
        if not user.is_active:
            return user
        if user.role is Role.ADMIN and [u.id for u in await _active_admins(uow)] == [user.id]:
            raise _last_admin()
        updated = await uow.users.update(dataclasses.replace(user, is_active=False))
        updated = await revoke_sessions(uow, updated, now=kit.now(), reason=RevokeReason.USER_DISABLED)
        await audit.record(uow, principal, AuditAction.USER_DISABLED, target=user.email,
                           details={"sessions_revoked": True})
        await uow.commit()
        return updated


async def enable_user(
    uow_factory: UnitOfWorkFactory, principal: Principal, ref: UserRef,
) -> User:
    """Let a disabled user log in again (they start with no session; their password is unchanged)."""
    await access.require(uow_factory, principal, Role.ADMIN, action="users.enable", target=str(ref))
    async with uow_factory() as uow:
        user = await _load(uow, ref)
        if user.is_active:
            return user
        updated = await uow.users.update(dataclasses.replace(user, is_active=True))
        await audit.record(uow, principal, AuditAction.USER_ENABLED, target=user.email)
        await uow.commit()
        return updated


async def reset_two_factor(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, ref: UserRef,
) -> User:
    """Turn off another user's 2FA (lost authenticator and recovery codes): secret and codes are erased, their
    sessions revoked; they log in with their password and enroll again. Not through an API token, and not
    for oneself (that is `POST /auth/2fa/disable`, which asks for the password and a code)."""
    await access.require(uow_factory, principal, Role.ADMIN, action="users.reset_2fa", target=str(ref))
    if principal.auth_method not in (AuthMethod.PASSWORD, AuthMethod.COOKIE, AuthMethod.CLI):
        await access.deny(uow_factory, principal, action="users.reset_2fa", code="interactive_only",
                          en="Resetting someone's 2FA needs an interactive login, not an API token.",
                          fr="Réinitialiser la 2FA de quelqu'un demande une connexion interactive, pas un jeton "
                             "d'API.", target=str(ref))
    async with uow_factory() as uow:
        user = await _load(uow, ref)
        if principal.user_id is not None and user.id == principal.user_id:
            raise Conflict("Use Settings → Two-factor → Turn off for your own account (it asks for a code).",
                           message_fr="Pour votre propre compte, passez par Paramètres → Double authentification "
                                      "→ Désactiver (un code est demandé).")
        if not user.totp_enabled and user.totp_secret is None:
            return user
        updated = await uow.users.update(dataclasses.replace(user, totp_enabled=False, totp_secret=None,
                                                             totp_last_step=None, recovery_codes=()))
        updated = await revoke_sessions(uow, updated, now=kit.now(), reason=RevokeReason.TWO_FACTOR_RESET)
        await audit.record(uow, principal, AuditAction.TWO_FACTOR_RESET, target=user.email,
                           details={"sessions_revoked": True})
        await uow.commit()
        return updated


async def reset_password(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, principal: Principal, ref: UserRef, password: str,
) -> User:
    await access.require(uow_factory, principal, Role.ADMIN, action="users.reset_password", target=str(ref))
    async with uow_factory() as uow:
        user = await _load(uow, ref)
        password_hash = hash_new_password(kit, password, user.email)
        now = kit.now()
        updated = await uow.users.update(dataclasses.replace(user, password_hash=password_hash,
                                                             password_changed_at=now))
        updated = await revoke_sessions(uow, updated, now=now, reason=RevokeReason.PASSWORD_CHANGED)
        await audit.record(uow, principal, AuditAction.USER_PASSWORD_RESET, target=user.email,
                           details={"sessions_revoked": True})
        await uow.commit()
        return updated


# --- per-server permissions --------------------------------------------------------------------

async def list_permissions(
    uow_factory: UnitOfWorkFactory, principal: Principal, user_id: UUID,
) -> list[tuple[UUID, str, ServerPermission]]:
    """(server id, server name, permission) for `user_id`."""
    await access.require(uow_factory, principal, Role.ADMIN, action="permissions.list", target=str(user_id))
    async with uow_factory() as uow:
        await _load(uow, user_id)
        rows = await uow.permissions.list_for_user(user_id)
        out = []
        for server_id, permission in rows:
            server = await uow.servers.get(server_id)
            out.append((server_id, server.name if server else "?", permission))
        return sorted(out, key=lambda r: r[1])


async def set_permission(
    uow_factory: UnitOfWorkFactory, principal: Principal, user_id: UUID, server_ref: UUID | str,
    permission: ServerPermission | None,
) -> None:
    """Grant (or with None, remove) a user's permission row on one server."""
    await access.require(uow_factory, principal, Role.ADMIN, action="permissions.set", target=str(user_id))
    async with uow_factory() as uow:
        user = await _load(uow, user_id)
        server = await (uow.servers.get(server_ref) if isinstance(server_ref, UUID)
                        else uow.servers.get_by_name(server_ref))
        if server is None or server.id is None:
            raise NotFound(f"No server {str(server_ref)!r}.", message_fr=f"Aucun serveur {str(server_ref)!r}.")
        assert user.id is not None
        if permission is None:
            if not await uow.permissions.remove(user.id, server.id):
                raise NotFound(f"{user.email} has no permission row on {server.name}.",
                               message_fr=f"{user.email} n'a aucune permission sur {server.name}.")
        else:
            await uow.permissions.put(user.id, server.id, permission)
        await audit.record(uow, principal, AuditAction.PERMISSION_CHANGED, target=f"{user.email}@{server.name}",
                           details={"server": server.name, "granted": None if permission is None else {
                               "can_read": permission.can_read, "can_execute": permission.can_execute,
                               "can_admin": permission.can_admin}})
        await uow.commit()


# --- permissions by tag ------------------------------------------------------------------------

def _check_tag(tag: str) -> str:
    if not TAG_RE.match(tag):
        raise ValidationFailed([("tag", "1 to 64 letters, digits, '_', '.', ':' or '-'")])
    return tag


async def list_tag_permissions(
    uow_factory: UnitOfWorkFactory, principal: Principal, user_id: UUID,
) -> list[tuple[str, ServerPermission]]:
    """(tag, permission) grants of `user_id`, by tag."""
    await access.require(uow_factory, principal, Role.ADMIN, action="permissions.list", target=str(user_id))
    async with uow_factory() as uow:
        await _load(uow, user_id)
        return sorted((await uow.permissions.tag_grants(user_id)).items())


async def set_tag_permission(
    uow_factory: UnitOfWorkFactory, principal: Principal, user_id: UUID, tag: str,
    permission: ServerPermission | None,
) -> None:
    """Grant (or with None, remove) a user's permission on every server tagged `tag`, present and future.
    A server's own permission row still wins over its tags."""
    await access.require(uow_factory, principal, Role.ADMIN, action="permissions.set", target=str(user_id))
    _check_tag(tag)
    async with uow_factory() as uow:
        user = await _load(uow, user_id)
        assert user.id is not None
        if permission is None:
            if not await uow.permissions.remove_tag(user.id, tag):
                raise NotFound(f"{user.email} has no grant on the tag {tag!r}.",
                               message_fr=f"{user.email} n'a aucune permission sur l'étiquette {tag!r}.")
        else:
            await uow.permissions.put_tag(user.id, tag, permission)
        await audit.record(uow, principal, AuditAction.PERMISSION_CHANGED, target=f"{user.email}@tag:{tag}",
                           details={"tag": tag, "granted": None if permission is None else {
                               "can_read": permission.can_read, "can_execute": permission.can_execute,
                               "can_admin": permission.can_admin}})
        await uow.commit()


# --- first admin -------------------------------------------------------------------------------

def generate_password() -> str:
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    return "".join(secrets.choice(alphabet) for _ in range(24))


async def ensure_first_admin(
    uow_factory: UnitOfWorkFactory, kit: SecurityKit, *, email: str | None, password: str | None,
    generate: bool,
) -> tuple[User, str | None] | None:
    """Create the first admin when the database has no user: from `email`/`password` when
    given, else (with `generate`) `admin@localhost` and a random password, returned so the
    caller can show it once. None when users exist (or nothing to do)."""
    if password is None and not generate:
        return None
    async with uow_factory() as uow:
        if await uow.users.count() > 0:
            return None
    chosen_email = normalize_email(email or DEFAULT_ADMIN_EMAIL)
    generated = password is None
    chosen_password = password if password is not None else generate_password()
    if not generated:
        _check_identity(chosen_email, "Administrator")
    password_hash = (kit.passwords.hash(chosen_password) if generated
                     else hash_new_password(kit, chosen_password, chosen_email))
    system = Principal.system("system:first-start")
    async with uow_factory() as uow:
        if await uow.users.count() > 0:  # another replica was faster
            return None
        now = kit.now()
        created = await uow.users.add(User(email=chosen_email, name="Administrator", role=Role.ADMIN,
                                           password_hash=password_hash, password_changed_at=now))
        await audit.record(uow, system, AuditAction.USER_CREATED, target=chosen_email,
                           details={"role": Role.ADMIN, "first_admin": True, "generated_password": generated})
        await uow.commit()
    return created, chosen_password if generated else None
