"""The audit trail: append (in the caller's transaction), verify, list and export.

Every security-relevant change appends its event in the same unit of work as the change, so
both commit or neither does; a failing audit write fails the change. Refusals (denied
authorizations, failed logins) have no change to ride on and are appended in their own
transaction. The chain itself (canonical JSON, hashes) is `domain.security.audit_chain`; the
storage serializes writers (see the SQL audit repository).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from chatops_commander.domain.security.audit_chain import GENESIS_HASH, VerifyReport, verify_chain
from chatops_commander.domain.security.audit_events import AuditAction, AuditDraft, AuditEvent, AuditOutcome
from chatops_commander.services.ports import UnitOfWork, UnitOfWorkFactory
from chatops_commander.services.principal import Principal

ANONYMOUS = "anonymous"
BATCH = 1000


def _now() -> datetime:
    return datetime.now(UTC)


async def record(
    uow: UnitOfWork, principal: Principal | None, action: AuditAction,
    outcome: AuditOutcome = AuditOutcome.SUCCESS, *, target: str | None = None,
    details: Mapping[str, Any] | None = None, actor: str | None = None,
    source_ip: str | None = None, request_id: str | None = None,
) -> AuditEvent:
    """Append one event inside `uow` (committed with the caller's change)."""
    merged: dict[str, Any] = {}
    if principal is not None:
        merged["auth"] = principal.auth_method.value
        if principal.user_id is not None:
            merged["user_id"] = str(principal.user_id)
    merged.update(details or {})
    return await uow.audit.append(
        actor=actor or (principal.actor if principal else ANONYMOUS), action=action, outcome=outcome,
        occurred_at=_now(), target=target, details=merged,
        source_ip=source_ip or (principal.source_ip if principal else None),
        request_id=request_id or (principal.request_id if principal else None),
    )


async def record_many(
    uow: UnitOfWork, principal: Principal | None,
    events: Sequence[tuple[AuditAction, AuditOutcome, str | None, Mapping[str, Any]]],
) -> list[AuditEvent]:
    """Append several events (action, outcome, target, details) by one principal inside `uow`, in one round trip."""
    base: dict[str, Any] = {}
    if principal is not None:
        base["auth"] = principal.auth_method.value
        if principal.user_id is not None:
            base["user_id"] = str(principal.user_id)
    now = _now()
    return await uow.audit.append_many([AuditDraft(
        actor=principal.actor if principal else ANONYMOUS, action=action, outcome=outcome, occurred_at=now,
        target=target, details={**base, **details}, source_ip=principal.source_ip if principal else None,
        request_id=principal.request_id if principal else None) for action, outcome, target, details in events])


async def record_alone(
    uow_factory: UnitOfWorkFactory, principal: Principal | None, action: AuditAction,
    outcome: AuditOutcome, **kwargs: Any,
) -> AuditEvent:
    """Append one event in its own transaction (refusals, which change nothing else)."""
    async with uow_factory() as uow:
        event = await record(uow, principal, action, outcome, **kwargs)
        await uow.commit()
        return event


async def _batches(uow_factory: UnitOfWorkFactory, since: datetime | None = None) -> list[list[AuditEvent]]:
    out: list[list[AuditEvent]] = []
    after = 0
    async with uow_factory() as uow:
        while True:
            rows = await uow.audit.list(after_seq=after, since=since, limit=BATCH)
            if not rows:
                return out
            out.append(rows)
            after = rows[-1].seq


async def verify(uow_factory: UnitOfWorkFactory, *, head: tuple[int, str] | None = None) -> VerifyReport:
    """Check the whole chain; `head` (seq, hash) is the latest event known from outside the
    database (the `audit.log` mirror), which reveals rows removed at the end."""
    start_seq, start_prev, checked = 1, GENESIS_HASH, 0
    batches = await _batches(uow_factory)
    for index, rows in enumerate(batches):
        last_batch = index == len(batches) - 1
        report = verify_chain(rows, start_seq=start_seq, start_prev_hash=start_prev,
                              head_seq=head[0] if head and last_batch else None,
                              head_hash=head[1] if head and last_batch else None)
        if not report.ok:
            return VerifyReport(False, checked + report.checked, report.problem, report.first_bad_seq,
                                report.first_bad_id, report.message_en, report.message_fr)
        checked += report.checked
        start_seq, start_prev = rows[-1].seq + 1, rows[-1].hash
    if not batches and head is not None:
        return verify_chain([], head_seq=head[0], head_hash=head[1])
    return VerifyReport(True, checked)


async def events(uow_factory: UnitOfWorkFactory, *, since: datetime | None = None) -> Iterator[AuditEvent]:
    """Every event (optionally from `since`), oldest first."""
    batches = await _batches(uow_factory, since)
    return (event for rows in batches for event in rows)


async def recent(uow_factory: UnitOfWorkFactory, *, after_seq: int = 0, limit: int = 100,
                 since: datetime | None = None) -> list[AuditEvent]:
    async with uow_factory() as uow:
        return await uow.audit.list(after_seq=after_seq, since=since, limit=limit)


async def browse(uow_factory: UnitOfWorkFactory, principal: Principal, *, after_seq: int = 0, limit: int = 100,
                 since: datetime | None = None) -> list[AuditEvent]:
    """Admin view of the trail."""
    from chatops_commander.domain.roles import Role
    from chatops_commander.services import access

    await access.require(uow_factory, principal, Role.ADMIN, action="audit.read")
    return await recent(uow_factory, after_seq=after_seq, limit=limit, since=since)


async def verify_as(uow_factory: UnitOfWorkFactory, principal: Principal, *,
                    head: tuple[int, str] | None = None) -> VerifyReport:
    from chatops_commander.domain.roles import Role
    from chatops_commander.services import access

    await access.require(uow_factory, principal, Role.ADMIN, action="audit.verify")
    return await verify(uow_factory, head=head)
