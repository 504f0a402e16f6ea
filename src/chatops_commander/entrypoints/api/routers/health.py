"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chatops_commander.entrypoints.api.deps import ContainerDep
from chatops_commander.entrypoints.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(container: ContainerDep) -> Readiness | JSONResponse:
    if await container.db_probe.ping():
        return Readiness(status="ready", database="ok")
    return JSONResponse({"status": "not ready", "database": "unreachable"}, status_code=503)
