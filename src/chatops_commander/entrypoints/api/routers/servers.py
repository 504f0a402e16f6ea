"""Server registry API: thin translation to `services.servers` (viewer+ read, admin write)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.api.deps import KitDep, PrincipalDep, UowDep
from chatops_commander.entrypoints.api.schemas import Page, ServerCreate, ServerRead, ServerSecret, ServerUpdate
from chatops_commander.services import servers as service

router = APIRouter(prefix="/servers", tags=["servers"])
Tag = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get("", response_model=Page[ServerRead])
async def list_servers(
    principal: PrincipalDep, uow: UowDep, tag: Tag = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[ServerRead]:
    everything = await service.list_servers(uow, principal, tag=tag)
    page = everything[offset:offset + limit]
    return Page[ServerRead](items=[ServerRead.of(s) for s in page], total=len(everything), offset=offset,
                            limit=limit)


@router.post("", response_model=ServerRead, status_code=status.HTTP_201_CREATED)
async def create_server(body: ServerCreate, principal: PrincipalDep, uow: UowDep) -> ServerRead:
    server = Server(
        name=body.name, hostname=body.hostname, ip_address=str(body.ip_address), port=body.port,
        ssh_user=body.ssh_user, ssh_key_path=body.ssh_key_path, become=body.become, tags=tuple(body.tags),
        services=tuple(body.services), host_key_policy=body.host_key_policy,
    )
    return ServerRead.of(await service.add_server(uow, principal, server))


@router.get("/{server_id}", response_model=ServerRead)
async def get_server(server_id: UUID, principal: PrincipalDep, uow: UowDep) -> ServerRead:
    return ServerRead.of(await service.get_server(uow, principal, server_id))


@router.patch("/{server_id}", response_model=ServerRead)
async def update_server(server_id: UUID, body: ServerUpdate, principal: PrincipalDep, uow: UowDep) -> ServerRead:
    changes = body.model_dump(exclude_unset=True)
    if "ip_address" in changes and changes["ip_address"] is not None:
        changes["ip_address"] = str(changes["ip_address"])
    for key in ("tags", "services"):
        if key in changes:
            changes[key] = tuple(changes[key] or ())
    changes = {k: v for k, v in changes.items() if v is not None or k == "ssh_key_path"}
    return ServerRead.of(await service.update_server(uow, principal, server_id, **changes))


@router.delete("/{server_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_server(server_id: UUID, principal: PrincipalDep, uow: UowDep) -> None:
    await service.remove_server(uow, principal, server_id)


@router.put("/{server_id}/secret", status_code=status.HTTP_204_NO_CONTENT)
async def set_server_secret(server_id: UUID, body: ServerSecret, principal: PrincipalDep, uow: UowDep,
                            kit: KitDep) -> None:
    """Store the SSH private key or password, encrypted (AES-256-GCM); it is never returned."""
    await service.set_server_secret(uow, kit, principal, server_id, kind=body.kind, value=body.value)


@router.delete("/{server_id}/secret", status_code=status.HTTP_204_NO_CONTENT)
async def clear_server_secret(server_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> None:
    await service.set_server_secret(uow, kit, principal, server_id, kind="private_key", value=None)
