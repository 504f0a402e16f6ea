"""Server registry API: thin translation to `services.servers` (viewer+ read, admin write)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from chatops_commander import bootstrap
from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.api.deps import ContainerDep, KitDep, PrincipalDep, UowDep
from chatops_commander.entrypoints.api.problems import request_language
from chatops_commander.entrypoints.api.schemas import NO_NUL, Page, ServerCreate, ServerRead, ServerSecret, ServerUpdate
from chatops_commander.services import servers as service

INVENTORY_MAX_CHARS = 150_000  # × 6 bytes (a JSON `\u0013` escape) + the envelope < 1 MiB (CHATOPS_MAX_BODY_BYTES)
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


class InventoryImport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inventory: str = Field(min_length=1, max_length=INVENTORY_MAX_CHARS, pattern=NO_NUL, description=(
        "Ansible INI or YAML, or ssh config; at most 150,000 characters, so that any such text fits the 1 MiB "
        "request body limit even when JSON escapes every character"))
    format: Literal["auto", "ini", "yaml", "ssh"] = "auto"


class ImportResult(BaseModel):
    created: list[str]
    updated: list[str]


class ConnectionResult(BaseModel):
    server: str
    ok: bool
    duration_ms: int
    service_manager: str | None
    error: str | None
    outcome: str = Field("ok", description="ok, unreachable, timed_out, auth_failed, host_key_unknown (fingerprint "
                                           "and the command that trusts it in `error`), host_key_mismatch, error")
    message: str


@router.post("/import", response_model=ImportResult)
async def import_inventory(body: InventoryImport, principal: PrincipalDep, uow: UowDep) -> ImportResult:
    """Create or update (by name) every host of an inventory, all or nothing; problems name their line."""
    drafts = bootstrap.parse_inventory_text(body.inventory, None if body.format == "auto" else body.format)
    report = await service.import_servers(uow, principal, drafts)
    return ImportResult(created=list(report.created), updated=list(report.updated))


@router.post("/{server_id:uuid}/test", response_model=ConnectionResult)
async def test_connection(server_id: UUID, request: Request, principal: PrincipalDep,
                          container: ContainerDep) -> ConnectionResult:
    """Connect once and run the read-only platform probe (admin). An unreachable host is `ok: false`, not an
    error; a first SSH contact pins the host key when the server's policy is TOFU."""
    check = await service.check_connection(container.uow, container.fanout.executor, principal, server_id)
    return ConnectionResult(server=check.server, ok=check.ok, duration_ms=check.duration_ms,
                            service_manager=check.service_manager, error=check.error, outcome=check.outcome,
                            message=check.message(request_language(request)))


@router.get("/{server_id:uuid}", response_model=ServerRead)
async def get_server(server_id: UUID, principal: PrincipalDep, uow: UowDep) -> ServerRead:
    return ServerRead.of(await service.get_server(uow, principal, server_id))


@router.patch("/{server_id:uuid}", response_model=ServerRead)
async def update_server(server_id: UUID, body: ServerUpdate, principal: PrincipalDep, uow: UowDep) -> ServerRead:
    changes = body.model_dump(exclude_unset=True)
    if "ip_address" in changes and changes["ip_address"] is not None:
        changes["ip_address"] = str(changes["ip_address"])
    for key in ("tags", "services"):
        if key in changes:
            changes[key] = tuple(changes[key] or ())
    changes = {k: v for k, v in changes.items() if v is not None or k == "ssh_key_path"}
    return ServerRead.of(await service.update_server(uow, principal, server_id, **changes))


@router.delete("/{server_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_server(server_id: UUID, principal: PrincipalDep, uow: UowDep) -> None:
    await service.remove_server(uow, principal, server_id)


@router.put("/{server_id:uuid}/secret", status_code=status.HTTP_204_NO_CONTENT)
async def set_server_secret(server_id: UUID, body: ServerSecret, principal: PrincipalDep, uow: UowDep,
                            kit: KitDep) -> None:
    """Store the SSH private key or password, encrypted (AES-256-GCM); it is never returned."""
    await service.set_server_secret(uow, kit, principal, server_id, kind=body.kind, value=body.value)


@router.delete("/{server_id:uuid}/secret", status_code=status.HTTP_204_NO_CONTENT)
async def clear_server_secret(server_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> None:
    await service.set_server_secret(uow, kit, principal, server_id, kind="private_key", value=None)
