"""Canonical JSON and the hash chain: any single altered or removed row is named."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatops_commander.domain.security.audit_chain import (
    GENESIS_HASH,
    canonical_json,
    compute_hash,
    new_event,
    verify_chain,
)
from chatops_commander.domain.security.audit_events import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    cli_actor,
    parse_iso_utc,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)
details_st = st.dictionaries(st.text(max_size=10), json_values, max_size=5)


def chain(n: int, details: dict | None = None) -> list[AuditEvent]:
    rows: list[AuditEvent] = []
    for i in range(n):
        rows.append(new_event(
            rows[-1] if rows else None, id=f"evt-{i}", occurred_at=T0 + timedelta(seconds=i),
            actor="alice@example.com", action=AuditAction.COMMAND_EXECUTED, outcome=AuditOutcome.SUCCESS,
            target="web-01", source_ip="10.0.0.1", request_id=f"req-{i}",
            details=details if details is not None else {"n": i, "é": "ünïcode"}))
    return rows


def test_first_row_links_to_genesis_and_each_row_to_its_predecessor():
    rows = chain(3)
    assert rows[0].prev_hash == GENESIS_HASH
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[2].prev_hash == rows[1].hash
    assert rows[1].hash == compute_hash(rows[0].hash, rows[1])


def test_canonical_json_is_sorted_compact_utf8_and_utc():
    paris_summer = timezone(timedelta(hours=2))
    event = AuditEvent(seq=1, id="x", occurred_at=datetime(2025, 3, 1, 14, 0, tzinfo=paris_summer),
                       actor=cli_actor("root"), action=AuditAction.LOGIN_FAILED, outcome=AuditOutcome.FAILURE,
                       details={"b": 1, "a": "é"})
    text = canonical_json(event).decode("utf-8")
    assert text.startswith('{"action":"LOGIN_FAILED","actor":"cli:root","details":{"a":"é","b":1}')
    assert '"occurred_at":"2025-03-01T12:00:00.000000Z"' in text
    assert " " not in text


def test_naive_timestamps_and_non_json_details_are_refused():
    with pytest.raises(ValueError):
        AuditEvent(seq=1, id="x", occurred_at=datetime(2025, 1, 1), actor="a",
                   action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)
    with pytest.raises(TypeError):
        AuditEvent(seq=1, id="x", occurred_at=T0, actor="a", action=AuditAction.LOGOUT,
                   outcome=AuditOutcome.SUCCESS, details={"x": object()})


def test_details_with_datetimes_hash_the_same_after_a_json_round_trip():
    row = chain(1, {"when": T0, "tags": ("a", "b")})[0]
    stored = json.loads(json.dumps(row.as_record()))
    reread = AuditEvent(seq=stored["seq"], id=stored["id"], occurred_at=parse_iso_utc(stored["occurred_at"]),
                        actor=stored["actor"], action=stored["action"], outcome=stored["outcome"],
                        target=stored["target"], source_ip=stored["source_ip"],
                        request_id=stored["request_id"], details=stored["details"],
                        prev_hash=stored["prev_hash"], hash=stored["hash"])
    assert verify_chain([reread]).ok


@given(details_st)
def test_canonical_json_is_stable_under_key_order_and_json_round_trip(details):
    a = chain(1, details)[0]
    shuffled = dict(reversed(list(json.loads(json.dumps(a.details)).items())))
    b = dataclasses.replace(a, details=shuffled)
    assert canonical_json(a) == canonical_json(b)


def test_an_intact_chain_verifies_with_a_bilingual_message():
    report = verify_chain(chain(5))
    assert report.ok
    assert report.checked == 5
    assert report.message("fr") == "Le journal d'audit est intact."


def test_an_empty_trail_is_intact_unless_a_head_says_otherwise():
    assert verify_chain([]).ok
    assert verify_chain([], head_seq=2).problem == "truncated"


@settings(max_examples=60)
@given(n=st.integers(2, 8), data=st.data())
def test_any_single_altered_row_is_named(n, data):
    rows = chain(n)
    i = data.draw(st.integers(0, n - 1))
    field = data.draw(st.sampled_from(["actor", "target", "outcome", "details", "occurred_at", "source_ip"]))
    new_value = {"actor": "mallory", "target": "db-01", "outcome": AuditOutcome.DENIED,
                 "details": {"n": -1}, "occurred_at": T0 - timedelta(days=1), "source_ip": "6.6.6.6"}[field]
    rows[i] = dataclasses.replace(rows[i], **{field: new_value})
    report = verify_chain(rows)
    assert not report.ok
    assert report.problem == "altered"
    assert report.first_bad_seq == i + 1
    assert report.first_bad_id == f"evt-{i}"
    assert f"Row {i + 1}" in report.message_en
    assert f"La ligne {i + 1}" in report.message_fr


@settings(max_examples=60)
@given(n=st.integers(2, 8), data=st.data())
def test_an_altered_row_whose_hash_was_recomputed_is_still_named(n, data):
    rows = chain(n)
    i = data.draw(st.integers(0, n - 2))  # the next row still vouches for the original
    forged = dataclasses.replace(rows[i], actor="mallory")
    rows[i] = dataclasses.replace(forged, hash=compute_hash(forged.prev_hash, forged))
    report = verify_chain(rows)
    assert report.problem == "altered"
    assert report.first_bad_seq == i + 1


@settings(max_examples=60)
@given(n=st.integers(2, 8), data=st.data())
def test_any_single_removed_row_is_named_as_missing(n, data):
    rows = chain(n)
    i = data.draw(st.integers(0, n - 1))
    del rows[i]
    report = verify_chain(rows, head_seq=n)
    assert not report.ok
    assert report.first_bad_seq == i + 1
    assert report.problem == ("truncated" if i == n - 1 else "missing")


def test_a_renumbered_chain_after_a_deletion_is_detected():
    rows = chain(4)
    del rows[1]
    renumbered = [rows[0]] + [dataclasses.replace(r, seq=r.seq - 1) for r in rows[1:]]
    report = verify_chain(renumbered)
    assert report.first_bad_seq == 2
    assert report.problem == "altered"


def test_verification_can_resume_from_a_checkpoint():
    rows = chain(6)
    assert verify_chain(rows[3:], start_seq=4, start_prev_hash=rows[2].hash).ok
    assert verify_chain(rows[3:], start_seq=4, start_prev_hash=GENESIS_HASH).first_bad_seq == 4


def test_the_head_hash_detects_a_rewritten_last_row():
    rows = chain(3)
    forged = dataclasses.replace(rows[2], actor="mallory")
    rows[2] = dataclasses.replace(forged, hash=compute_hash(forged.prev_hash, forged))
    assert verify_chain(rows).ok  # undetectable from the rows alone...
    head = chain(3)[2]
    # ...but it is with the head recorded elsewhere (audit.log)
    assert verify_chain(rows, head_seq=head.seq, head_hash=head.hash).first_bad_seq == 3
