"""Button payloads (signed, bound, expiring) and the bulk import file, on open-ended inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.linking import BadInput, Linking
from chatops_commander.services.platforms.signing import ButtonRefused, ButtonSigner, Press

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIGNER = ButtonSigner(b"s" * 32)


def test_a_payload_round_trips_its_claims() -> None:
    payload = SIGNER.issue(Press.CONFIRM, "conf-1", "abc", "slack:U1", NOW + timedelta(minutes=5))
    claim = SIGNER.verify(payload, NOW)
    assert (claim.press, claim.ref, claim.action_hash, claim.chat_user) == (Press.CONFIRM, "conf-1", "abc", "slack:U1")
    with pytest.raises(ButtonRefused, match="expired"):
        SIGNER.verify(payload, NOW + timedelta(minutes=5))
    with pytest.raises(ButtonRefused, match="forged"):
        ButtonSigner(b"t" * 32).verify(payload, NOW)


@given(st.text(max_size=300))
def test_any_text_that_we_did_not_sign_is_refused(text: str) -> None:
    with pytest.raises(ButtonRefused):
        SIGNER.verify(text, NOW)


@given(st.integers(min_value=0), st.characters(codec="ascii"))
def test_changing_any_character_of_a_payload_is_refused(position: int, char: str) -> None:
    payload = SIGNER.issue(Press.APPROVE, "appr-1", "h" * 64, "slack:U1", NOW + timedelta(hours=1), nonce="n1")
    i = position % len(payload)
    if payload[i] == char:
        return
    with pytest.raises(ButtonRefused):
        SIGNER.verify(payload[:i] + char + payload[i + 1:], NOW)


def test_the_import_file_reports_every_problem_with_its_line_and_keeps_nothing() -> None:
    rows = Linking.parse_csv("platform,user_id,email\nslack,U1,Alice@Example.com\nmatrix,@b:hs,b@example.com\n")
    assert [(r.platform, r.user_id, r.email) for r in rows] == [
        (Platform.SLACK, "U1", "alice@example.com"), (Platform.MATRIX, "@b:hs", "b@example.com")]
    with pytest.raises(BadInput) as caught:
        Linking.parse_csv("slack,U1,a@example.com\nirc,U2,b@example.com\nslack,U1,c@example.com\nslack,U3\n"
                          "slack,,d@example.com\n")
    message = caught.value.message
    assert "line 2: Unknown platform 'irc'" in message and "line 3: slack user U1 is also on line 1" in message
    assert "line 4: expected 3 fields" in message and "line 5: the chat user id is empty" in message
    assert "ligne 2" in caught.value.localized("fr")


@given(st.text(max_size=400))
def test_any_import_file_gives_rows_or_a_clear_refusal_never_a_crash(text: str) -> None:
    refusal: BadInput | None = None
    try:
        rows = Linking.parse_csv(text)
    except BadInput as exc:
        refusal, rows = exc, []
    if refusal is not None:
        assert "line " in refusal.message or "rows" in refusal.message or "not a CSV file" in refusal.message
    assert all(r.user_id and "@" in r.email for r in rows)
