"""The hash chain over audit events: canonical JSON, row hashes, verification.

row.hash = HMAC-SHA256(key, prev_hash + canonical_json(row)) as lower-case hex, with the audit key
`row.hash_kid` (kept outside the database, derived from the encryption keyring, so rotated with
it); canonical JSON has sorted keys, no whitespace, UTF-8 (not ASCII-escaped) and datetimes as
ISO-8601 UTC. The first row's prev_hash is `GENESIS_HASH`.

Rows written before the chain was keyed have no `hash_kid` and a plain SHA-256 hash: they are
accepted only before the first keyed row, and counted as rows the key does not cover. An unkeyed
row after a keyed one is a re-sealing by someone without the key: reported as altered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops_commander.domain.security.audit_events import AuditAction, AuditEvent, AuditOutcome

GENESIS_HASH = "0" * 64


def canonical_json(event: AuditEvent) -> bytes:
    return json.dumps(event.payload(), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class ChainKey:
    kid: str
    key: bytes = dataclasses.field(repr=False)


def compute_hash(prev_hash: str, event: AuditEvent, key: bytes | None = None) -> str:
    message = prev_hash.encode("ascii") + canonical_json(event)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal(event: AuditEvent, previous: AuditEvent | None, key: ChainKey | None = None) -> AuditEvent:
    """The event placed after `previous` (None: first row): seq, prev_hash and hash filled in (HMAC
    with `key`; without one, the legacy unkeyed SHA-256)."""
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    placed = dataclasses.replace(event, seq=seq, prev_hash=prev_hash, hash="",
                                 hash_kid=None if key is None else key.kid)
    return dataclasses.replace(placed, hash=compute_hash(prev_hash, placed, None if key is None else key.key))


def new_event(
    previous: AuditEvent | None, *, id: str, occurred_at: datetime, actor: str, action: AuditAction,
    outcome: AuditOutcome, target: str | None = None, source_ip: str | None = None,
    request_id: str | None = None, details: dict[str, Any] | None = None, key: ChainKey | None = None,
) -> AuditEvent:
    """Build and seal the next event of the chain."""
    draft = AuditEvent(seq=0, id=id, occurred_at=occurred_at, actor=actor, action=action,
                       outcome=outcome, target=target, source_ip=source_ip,
                       request_id=request_id, details=details or {})
    return seal(draft, previous, key)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    problem: str | None = None  # "altered" | "resealed" | "unknown_key" | "missing" | "truncated"
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    message_en: str = "The audit trail is intact."
    message_fr: str = "Le journal d'audit est intact."
    unkeyed: int = 0  # rows sealed before the chain was keyed (not covered by the key)
    keyed_seen: bool = False  # a keyed row was met (an unkeyed one after it is a re-sealing)
    head_seq: int = 0  # the last row checked
    checkpoint_seq: int | None = None  # the signed checkpoint verified against (outside the database)
    checkpoint_at: str | None = None
    forged_checkpoints: int = 0  # checkpoint lines whose signature does not hold (ignored)

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


def _resealed(checked: int, row: AuditEvent) -> VerifyReport:
    return VerifyReport(
        False, checked, "resealed", row.seq, row.id,
        f"Row {row.seq} (id {row.id}) was re-sealed without the audit key (a plain hash after keyed rows).",
        f"La ligne {row.seq} (id {row.id}) a été rescellée sans la clé d'audit (un hachage simple après des "
        "lignes scellées par clé).")


def _unknown_key(checked: int, row: AuditEvent) -> VerifyReport:
    return VerifyReport(
        False, checked, "unknown_key", row.seq, row.id,
        f"Row {row.seq} (id {row.id}) names the audit key {row.hash_kid!r}, which the keyring does not hold: "
        "it cannot be verified (a forged row, or a keyring missing a key).",
        f"La ligne {row.seq} (id {row.id}) cite la clé d'audit {row.hash_kid!r}, absente du trousseau : "
        "impossible de la vérifier (ligne forgée, ou trousseau incomplet).")


def verify_chain(
    rows: Iterable[AuditEvent], *, start_seq: int = 1, start_prev_hash: str = GENESIS_HASH,
    head_seq: int | None = None, head_hash: str | None = None, keys: Mapping[str, bytes] | None = None,
    keyed_seen: bool = False,
) -> VerifyReport:
    """Check rows in `seq` order and name the first altered, re-sealed or missing one.

    `keys` (kid → audit key) verify keyed rows; `keyed_seen` says a keyed row came before `rows`.
    `start_seq`/`start_prev_hash` let a verification resume from a trusted checkpoint.
    `head_seq`/`head_hash` (e.g. the last line of `audit.log`) detect rows removed at the end,
    which a chain alone cannot see.
    """
    expected_seq, expected_prev = start_seq, start_prev_hash
    previous: AuditEvent | None = None
    checked = unkeyed = 0
    for row in rows:
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                return _missing(checked, expected_seq)
            return _altered(checked, row)
        if row.hash_kid is None:
            if keyed_seen:
                return _resealed(checked, row)
            if compute_hash(row.prev_hash, row) != row.hash:
                return _altered(checked, row)
            unkeyed += 1
        else:
            key = (keys or {}).get(row.hash_kid)
            if key is None:
                return _unknown_key(checked, row)
            if not hmac.compare_digest(compute_hash(row.prev_hash, row, key), row.hash):
                return _altered(checked, row)
            keyed_seen = True
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
    return VerifyReport(True, checked, unkeyed=unkeyed, keyed_seen=keyed_seen)
