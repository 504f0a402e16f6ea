"""User administration API (admin): thin translation to `services.users`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, status

from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import TAG_RE
from chatops_commander.entrypoints.api.deps import KitDep, PrincipalDep, UowDep
from chatops_commander.entrypoints.api.schemas import (
    PasswordReset,
    PermissionRead,
    PermissionWrite,
    TagPermissionRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from chatops_commander.services import users as service

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserRead])
async def list_users(principal: PrincipalDep, uow: UowDep) -> list[UserRead]:
    return [UserRead.of(u) for u in await service.list_users(uow, principal)]


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> UserRead:
    return UserRead.of(await service.create_user(uow, kit, principal, email=body.email, name=body.name,
                                                 role=body.role, password=body.password))


@router.get("/{user_id:uuid}", response_model=UserRead)
async def get_user(user_id: UUID, principal: PrincipalDep, uow: UowDep) -> UserRead:
    return UserRead.of(await service.get_user(uow, principal, user_id))


@router.patch("/{user_id:uuid}", response_model=UserRead)
async def update_user(user_id: UUID, body: UserUpdate, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> UserRead:
    """Change the role (the user's sessions are revoked)."""
    return UserRead.of(await service.set_role(uow, kit, principal, user_id, body.role))


@router.post("/{user_id:uuid}/disable", response_model=UserRead)
async def disable_user(user_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> UserRead:
    return UserRead.of(await service.disable_user(uow, kit, principal, user_id))


@router.post("/{user_id:uuid}/enable", response_model=UserRead)
async def enable_user(user_id: UUID, principal: PrincipalDep, uow: UowDep) -> UserRead:
    """Let a disabled user log in again."""
    return UserRead.of(await service.enable_user(uow, principal, user_id))


@router.post("/{user_id:uuid}/2fa/reset", response_model=UserRead)
async def reset_two_factor(user_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> UserRead:
    """Turn off another user's two-factor authentication (lost authenticator); their sessions are revoked.
    Needs an interactive admin login (not an API token); for your own account use `POST /auth/2fa/disable`."""
    return UserRead.of(await service.reset_two_factor(uow, kit, principal, user_id))


@router.post("/{user_id:uuid}/password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(user_id: UUID, body: PasswordReset, principal: PrincipalDep, uow: UowDep,
                         kit: KitDep) -> None:
    await service.reset_password(uow, kit, principal, user_id, body.password)


@router.get("/{user_id:uuid}/permissions", response_model=list[PermissionRead])
async def list_permissions(user_id: UUID, principal: PrincipalDep, uow: UowDep) -> list[PermissionRead]:
    return [PermissionRead(server_id=sid, server_name=name, can_read=p.can_read, can_execute=p.can_execute,
                           can_admin=p.can_admin)
            for sid, name, p in await service.list_permissions(uow, principal, user_id)]


@router.put("/{user_id:uuid}/permissions/{server_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def set_permission(user_id: UUID, server_id: UUID, body: PermissionWrite, principal: PrincipalDep,
                         uow: UowDep) -> None:
    await service.set_permission(uow, principal, user_id, server_id, ServerPermission(
        can_read=body.can_read, can_execute=body.can_execute, can_admin=body.can_admin))


@router.delete("/{user_id:uuid}/permissions/{server_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_permission(user_id: UUID, server_id: UUID, principal: PrincipalDep, uow: UowDep) -> None:
    await service.set_permission(uow, principal, user_id, server_id, None)


@router.get("/{user_id:uuid}/tag-permissions", response_model=list[TagPermissionRead],
            description="Grants on tags: each applies to every server carrying the tag (a server's own row wins).")
async def list_tag_permissions(user_id: UUID, principal: PrincipalDep, uow: UowDep) -> list[TagPermissionRead]:
    return [TagPermissionRead(tag=tag, can_read=p.can_read, can_execute=p.can_execute, can_admin=p.can_admin)
            for tag, p in await service.list_tag_permissions(uow, principal, user_id)]


@router.put("/{user_id:uuid}/tag-permissions/{tag}", status_code=status.HTTP_204_NO_CONTENT)
async def set_tag_permission(user_id: UUID, tag: Annotated[str, Path(pattern=TAG_RE.pattern)], body: PermissionWrite,
                             principal: PrincipalDep, uow: UowDep) -> None:
    await service.set_tag_permission(uow, principal, user_id, tag, ServerPermission(
        can_read=body.can_read, can_execute=body.can_execute, can_admin=body.can_admin))


@router.delete("/{user_id:uuid}/tag-permissions/{tag}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_tag_permission(user_id: UUID, tag: Annotated[str, Path(pattern=TAG_RE.pattern)],
                                principal: PrincipalDep, uow: UowDep) -> None:
    await service.set_tag_permission(uow, principal, user_id, tag, None)
