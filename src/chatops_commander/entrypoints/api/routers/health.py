"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: each dependency, by name).

Readiness says `ready` when the database and (if configured) Redis answer, `degraded` (still 200: the
replica serves) when only Redis does not — rate limits are then counted per process and chat events
stay on the replica that produced them — and `not ready` (503) when the database does not answer.
Each probe also sets the `chatops_dependency_up{dependency=...}` gauge.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chatops_commander.entrypoints.api.deps import ContainerDep
from chatops_commander.entrypoints.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])
REDIS_DOWN = ("Redis is configured but unreachable: rate limits are counted per process and chat events "
              "reach only the connections of the replica that produced them.")


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(container: ContainerDep) -> Readiness | JSONResponse:
    database_ok = await container.db_probe.ping()
    container.metrics.set_dependency("database", database_ok)
    redis: Literal["ok", "unreachable", "not_configured"] = "not_configured"
    if container.redis_probe is not None:
        redis_ok = await container.redis_probe.ping()
        container.metrics.set_dependency("redis", redis_ok)
        redis = "ok" if redis_ok else "unreachable"
    if not database_ok:
        body = Readiness(status="not ready", database="unreachable", redis=redis,  # type: ignore[arg-type]
                         reason="The database does not answer.")
        return JSONResponse(body.model_dump(), status_code=503)
    if redis == "unreachable":
        return Readiness(status="degraded", database="ok", redis="unreachable", reason=REDIS_DOWN)
    return Readiness(status="ready", database="ok", redis=redis)
