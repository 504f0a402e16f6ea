"""The keyed audit chain and signed checkpoints (pure domain)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.security import audit_checkpoint
from chatops_commander.domain.security.audit_chain import ChainKey, compute_hash, new_event, verify_chain
from chatops_commander.domain.security.audit_events import AuditAction, AuditEvent, AuditOutcome

K1 = ChainKey("k1", b"\x11" * 32)
K2 = ChainKey("k2", b"\x22" * 32)
KEYS = {"k1": K1.key, "k2": K2.key}
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def chain(keys: list[ChainKey | None]) -> list[AuditEvent]:
    rows: list[AuditEvent] = []
    for n, key in enumerate(keys):
        rows.append(new_event(rows[-1] if rows else None, id=str(uuid.uuid4()), occurred_at=T0, actor=f"a{n}",
                              action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS, key=key))
    return rows


def test_older_plain_rows_then_keyed_rows_across_a_rotation_verify() -> None:
    report = verify_chain(chain([None, None, K1, K1, K2]), keys=KEYS)
    assert report.ok and report.checked == 5 and report.unkeyed == 2 and report.keyed_seen


def test_a_plain_row_after_a_keyed_one_is_a_resealing() -> None:
    rows = chain([K1, K1, K1])
    plain = dataclasses.replace(rows[2], hash_kid=None)
    rows[2] = dataclasses.replace(plain, hash=compute_hash(plain.prev_hash, plain))
    report = verify_chain(rows, keys=KEYS)
    assert not report.ok and report.problem == "resealed" and report.first_bad_seq == 3


def test_a_row_naming_a_key_the_keyring_lacks_cannot_be_verified() -> None:
    report = verify_chain(chain([K1, K2]), keys={"k1": K1.key})
    assert not report.ok and report.problem == "unknown_key" and report.first_bad_seq == 2


def test_a_keyed_row_changed_without_the_key_is_altered() -> None:
    rows = chain([K1, K1])
    rows[1] = dataclasses.replace(rows[1], actor="mallory")
    assert verify_chain(rows, keys=KEYS).problem == "altered"


@given(st.integers(min_value=1, max_value=2**62), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_a_signed_checkpoint_survives_its_line_and_nothing_else_passes(seq: int, row_hash: str) -> None:
    signed = audit_checkpoint.sign(seq, row_hash, T0.isoformat(), K1)
    parsed = audit_checkpoint.parse("prefix: " + signed.line() + "\x00")
    assert parsed == signed and audit_checkpoint.is_authentic(parsed, KEYS)
    assert not audit_checkpoint.is_authentic(dataclasses.replace(signed, seq=seq + 1), KEYS)
    assert not audit_checkpoint.is_authentic(signed, {"k1": K2.key})


@given(st.text(max_size=300))
def test_any_line_parses_to_a_checkpoint_or_none_never_raises(line: str) -> None:
    assert audit_checkpoint.parse(line) is None or isinstance(audit_checkpoint.parse(line), audit_checkpoint.Checkpoint)


def test_the_latest_authentic_checkpoint_wins_and_forgeries_are_counted() -> None:
    good = [audit_checkpoint.sign(n, "ab" * 32, T0.isoformat(), K1) for n in (3, 9, 5)]
    forged = dataclasses.replace(good[0], seq=50)
    choice = audit_checkpoint.latest_authentic([*good, forged], KEYS)
    assert choice.latest == good[1] and choice.forged == 1
