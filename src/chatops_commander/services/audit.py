"""The audit trail: append (in the caller's transaction), verify, list and export.

Every security-relevant change appends its event in the same unit of work as the change, so
both commit or neither does; a failing audit write fails the change. Refusals (denied
authorizations, failed logins) have no change to ride on and are appended in their own
transaction. The chain itself (canonical JSON, hashes) is `domain.security.audit_chain`; the
storage serializes writers (see the SQL audit repository).
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from chatops_commander.domain.security.audit_chain import GENESIS_HASH, VerifyReport, verify_chain
from chatops_commander.domain.security.audit_checkpoint import Checkpoint, latest_authentic
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


def _tail_truncated(checked: int, last_seq: int, checkpoint: Checkpoint) -> VerifyReport:
    return VerifyReport(
        False, checked, "truncated", last_seq + 1, None,
        f"Rows {last_seq + 1} to {checkpoint.seq} are missing at the end of the audit trail: the signed checkpoint "
        f"of {checkpoint.at} saw row {checkpoint.seq}.",
        f"Les lignes {last_seq + 1} à {checkpoint.seq} manquent à la fin du journal d'audit : le point de contrôle "
        f"signé du {checkpoint.at} a vu la ligne {checkpoint.seq}.")


def _disagrees(checked: int, checkpoint: Checkpoint) -> VerifyReport:
    return VerifyReport(
        False, checked, "resealed", checkpoint.seq, None,
        f"Row {checkpoint.seq} is not the row the signed checkpoint of {checkpoint.at} saw: the chain was re-sealed "
        "or rewritten from there.",
        f"La ligne {checkpoint.seq} n'est pas celle qu'a vue le point de contrôle signé du {checkpoint.at} : la "
        "chaîne a été rescellée ou réécrite à partir de là.")


async def verify(uow_factory: UnitOfWorkFactory, *, head: tuple[int, str] | None = None,
                 keys: Mapping[str, bytes] | None = None, checkpoints: Iterable[Checkpoint] = ()) -> VerifyReport:
    """Check the whole chain with the audit keys; `head` (seq, hash) is the latest event of the local
    `audit.log` mirror and `checkpoints` the signed checkpoints kept outside the database: the latest
    authentic one must be in the chain (same hash at its seq), which reveals re-sealing and rows removed
    at the end even where the mirror is absent. The report names the checkpoint used and what no
    checkpoint covers (rows after it, rows sealed before the chain was keyed)."""
    choice = latest_authentic(checkpoints, keys or {})
    anchor = choice.latest
    start_seq, start_prev, checked, unkeyed, keyed_seen = 1, GENESIS_HASH, 0, 0, False
    anchor_hash: str | None = None
    batches = await _batches(uow_factory)
    extra: dict[str, Any] = {"forged_checkpoints": choice.forged}
    if anchor is not None:
        extra.update(checkpoint_seq=anchor.seq, checkpoint_at=anchor.at)
    for index, rows in enumerate(batches):
        last_batch = index == len(batches) - 1
        report = verify_chain(rows, start_seq=start_seq, start_prev_hash=start_prev,
                              head_seq=head[0] if head and last_batch else None,
                              head_hash=head[1] if head and last_batch else None, keys=keys, keyed_seen=keyed_seen)
        if not report.ok:
            return dataclasses.replace(report, checked=checked + report.checked, **extra)
        checked += report.checked
        unkeyed += report.unkeyed
        keyed_seen = report.keyed_seen
        if anchor is not None and anchor_hash is None:
            anchor_hash = next((r.hash for r in rows if r.seq == anchor.seq), None)
        start_seq, start_prev = rows[-1].seq + 1, rows[-1].hash
    last_seq = start_seq - 1
    if anchor is not None:
        if last_seq < anchor.seq:
            return dataclasses.replace(_tail_truncated(checked, last_seq, anchor), **extra)
        if anchor_hash is None or not hmac.compare_digest(anchor_hash, anchor.hash):
            return dataclasses.replace(_disagrees(checked, anchor), **extra)
    if not batches and head is not None:
        return dataclasses.replace(verify_chain([], head_seq=head[0], head_hash=head[1]), **extra)
    return VerifyReport(True, checked, unkeyed=unkeyed, keyed_seen=keyed_seen, head_seq=last_seq, **extra)


def coverage(report: VerifyReport, lang: str) -> list[str]:
    """What an intact report rests on, in words: the checkpoint used and the rows nothing outside the
    database vouches for."""
    fr = lang == "fr"
    lines: list[str] = []
    if report.checkpoint_seq is None:
        lines.append("Aucun point de contrôle signé trouvé : seule la clé d'audit protège la chaîne, une fin "
                     "supprimée ne se verrait pas." if fr else
                     "No signed checkpoint found: only the audit key protects the chain; rows removed at the end "
                     "would not show.")
    else:
        lines.append(f"Vérifié par rapport au point de contrôle signé n° {report.checkpoint_seq} du "
                     f"{report.checkpoint_at}." if fr else
                     f"Verified against the signed checkpoint at row {report.checkpoint_seq} of "
                     f"{report.checkpoint_at}.")
        if report.head_seq > report.checkpoint_seq:
            lines.append(f"Lignes {report.checkpoint_seq + 1} à {report.head_seq} : plus récentes que le point de "
                         "contrôle, couvertes par la seule clé (une suppression en fin ne se verrait pas)." if fr else
                         f"Rows {report.checkpoint_seq + 1} to {report.head_seq}: newer than the checkpoint, covered "
                         "by the key alone (their removal at the end would not show).")
    if report.unkeyed:
        lines.append(f"{report.unkeyed} ligne(s) antérieure(s) à la clé d'audit : hachage simple, non couvertes par "
                     "la clé." if fr else
                     f"{report.unkeyed} row(s) sealed before the audit key existed: plain hashes, not covered by "
                     "the key.")
    if report.forged_checkpoints:
        lines.append(f"{report.forged_checkpoints} point(s) de contrôle à la signature invalide ignoré(s)." if fr else
                     f"{report.forged_checkpoints} checkpoint(s) with an invalid signature ignored.")
    return lines


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
                    head: tuple[int, str] | None = None, keys: Mapping[str, bytes] | None = None,
                    checkpoints: Iterable[Checkpoint] = ()) -> VerifyReport:
    from chatops_commander.domain.roles import Role
    from chatops_commander.services import access

    await access.require(uow_factory, principal, Role.ADMIN, action="audit.verify")
    return await verify(uow_factory, head=head, keys=keys, checkpoints=checkpoints)
