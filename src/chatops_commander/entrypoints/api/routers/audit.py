"""The audit trail (admin): browse and verify the hash chain; security settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from chatops_commander import bootstrap
from chatops_commander.entrypoints.api.deps import ContainerDep, KitDep, PrincipalDep, UowDep
from chatops_commander.entrypoints.api.problems import request_language
from chatops_commander.entrypoints.api.schemas import AuditRecord, AuditVerification, IsoDateTime, SecuritySettings
from chatops_commander.services import audit, auth

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditRecord])
async def list_audit(
    principal: PrincipalDep, uow: UowDep,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: IsoDateTime | None = None,
) -> list[AuditRecord]:
    if since is not None and since.tzinfo is None:
        from datetime import UTC

        since = since.replace(tzinfo=UTC)
    events = await audit.browse(uow, principal, after_seq=after_seq, limit=limit, since=since)
    return [AuditRecord(**e.as_record()) for e in events]


@router.get("/audit/verify", response_model=AuditVerification)
async def verify_audit(request: Request, principal: PrincipalDep, container: ContainerDep) -> AuditVerification:
    report = await audit.verify_as(container.uow, principal, **bootstrap.audit_evidence(container))
    lang = request_language(request)
    return AuditVerification(ok=report.ok, checked=report.checked, problem=report.problem,
                             first_bad_seq=report.first_bad_seq, first_bad_id=report.first_bad_id,
                             message=report.message(lang), checkpoint_seq=report.checkpoint_seq,
                             checkpoint_at=report.checkpoint_at,
                             coverage=audit.coverage(report, lang) if report.ok else [])


@router.get("/security/settings", response_model=SecuritySettings)
async def get_security_settings(principal: PrincipalDep, uow: UowDep, kit: KitDep) -> SecuritySettings:
    return SecuritySettings(**await auth.security_settings(uow, kit, principal))


@router.put("/security/settings", response_model=SecuritySettings)
async def put_security_settings(body: SecuritySettings, principal: PrincipalDep, uow: UowDep,
                                kit: KitDep) -> SecuritySettings:
    return SecuritySettings(**await auth.set_require_2fa_for_admins(uow, kit, principal, body.require_2fa_for_admins))
