"""API tokens (admin, interactive login): create (shown once), list, revoke, rotate with grace."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Response, status

from chatops_commander.entrypoints.api.deps import KitDep, PrincipalDep, UowDep
from chatops_commander.entrypoints.api.schemas import TokenCreate, TokenCreated, TokenRead, TokenRotate
from chatops_commander.services import api_tokens as service

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, principal: PrincipalDep, uow: UowDep, kit: KitDep,
                       response: Response) -> TokenCreated:
    token, secret = await service.create_token(uow, kit, principal, name=body.name,
                                               scopes=[s.value for s in body.scopes],
                                               expires_at=kit.now() + timedelta(days=body.expires_in_days))
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**TokenRead.of(token).model_dump(), token=secret)


@router.get("", response_model=list[TokenRead])
async def list_tokens(principal: PrincipalDep, uow: UowDep) -> list[TokenRead]:
    return [TokenRead.of(t) for t in await service.list_tokens(uow, principal)]


@router.delete("/{token_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep) -> None:
    await service.revoke_token(uow, kit, principal, token_id)


@router.post("/{token_id:uuid}/rotate", response_model=TokenCreated)
async def rotate_token(token_id: UUID, principal: PrincipalDep, uow: UowDep, kit: KitDep, response: Response,
                       body: TokenRotate | None = None) -> TokenCreated:
    """A new token replaces this one, which stays valid for `grace_hours` (default 24)."""
    grace = timedelta(hours=(body or TokenRotate()).grace_hours)
    token, secret = await service.rotate_token(uow, kit, principal, token_id, grace=grace)
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**TokenRead.of(token).model_dump(), token=secret)
