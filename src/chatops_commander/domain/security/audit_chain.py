"""The hash chain over audit events: canonical JSON, row hashes, verification.

row.hash = SHA-256(prev_hash + canonical_json(row)) as lower-case hex, where canonical JSON has
sorted keys, no whitespace, UTF-8 (not ASCII-escaped) and datetimes as ISO-8601 UTC.
The first row's prev_hash is `GENESIS_HASH`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops_commander.domain.security.audit_events import AuditAction, AuditEvent, AuditOutcome

GENESIS_HASH = "0" * 64


def canonical_json(event: AuditEvent) -> bytes:
    return json.dumps(event.payload(), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(event)).hexdigest()


def seal(event: AuditEvent, previous: AuditEvent | None) -> AuditEvent:
    """The event placed after `previous` (None: first row): seq, prev_hash and hash filled in."""
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    placed = dataclasses.replace(event, seq=seq, prev_hash=prev_hash, hash="")
    return dataclasses.replace(placed, hash=compute_hash(prev_hash, placed))


def new_event(
    previous: AuditEvent | None, *, id: str, occurred_at: datetime, actor: str, action: AuditAction,
    outcome: AuditOutcome, target: str | None = None, source_ip: str | None = None,
    request_id: str | None = None, details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Build and seal the next event of the chain."""
    draft = AuditEvent(seq=0, id=id, occurred_at=occurred_at, actor=actor, action=action,
                       outcome=outcome, target=target, source_ip=source_ip,
                       request_id=request_id, details=details or {})
    return seal(draft, previous)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    problem: str | None = None  # "altered" | "missing" | "truncated" | "empty_expected"
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    message_en: str = "The audit trail is intact."
    message_fr: str = "Le journal d'audit est intact."

    def message(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message_en


def _altered(checked: int, row: AuditEvent) -> VerifyReport:
    return VerifyReport(
        False, checked, "altered", row.seq, row.id,
        f"Row {row.seq} (id {row.id}) was altered: its content no longer matches the chain.",
        f"La ligne {row.seq} (id {row.id}) a été modifiée : son contenu ne correspond plus à la chaîne.")


def _missing(checked: int, seq: int) -> VerifyReport:
    return VerifyReport(
        False, checked, "missing", seq, None,
        f"Row {seq} is missing from the audit trail.",
        f"La ligne {seq} manque dans le journal d'audit.")


def verify_chain(
    rows: Iterable[AuditEvent], *, start_seq: int = 1, start_prev_hash: str = GENESIS_HASH,
    head_seq: int | None = None, head_hash: str | None = None,
) -> VerifyReport:
    """Check rows in `seq` order and name the first altered or missing one.

    `start_seq`/`start_prev_hash` let a verification resume from a trusted checkpoint.
    `head_seq`/`head_hash` (e.g. the last line of `audit.log`) detect rows removed at the end,
    which a chain alone cannot see.
    """
    expected_seq, expected_prev = start_seq, start_prev_hash
    previous: AuditEvent | None = None
    checked = 0
    for row in rows:
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                return _missing(checked, expected_seq)
            return _altered(checked, row)
        if compute_hash(row.prev_hash, row) != row.hash:
            return _altered(checked, row)
        if row.prev_hash != expected_prev:
            # The row is self-consistent, so the one before it no longer is what it vouched for.
            return _altered(checked, previous) if previous is not None else _altered(checked, row)
        previous, expected_seq, expected_prev = row, row.seq + 1, row.hash
        checked += 1
    if head_seq is not None and (previous is None or previous.seq < head_seq):
        return VerifyReport(
            False, checked, "truncated", expected_seq, None,
            f"Rows {expected_seq} to {head_seq} are missing at the end of the audit trail.",
            f"Les lignes {expected_seq} à {head_seq} manquent à la fin du journal d'audit.")
    if head_hash is not None and previous is not None and head_seq == previous.seq \
            and previous.hash != head_hash:
        return _altered(checked, previous)
    return VerifyReport(True, checked)
