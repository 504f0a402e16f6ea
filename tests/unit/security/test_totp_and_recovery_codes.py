from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from chatops_commander.adapters.security import totp
from chatops_commander.adapters.security.opaque_tokens import TokenHasher
from chatops_commander.adapters.security.recovery_codes import (
    consume_recovery_code,
    generate_recovery_codes,
    hash_recovery_codes,
)
from chatops_commander.domain.security.errors import CredentialRejected

T0 = datetime(2025, 8, 1, 10, 0, 5, tzinfo=UTC)
HASHER = TokenHasher(b"r" * 32)


def test_enrolment_gives_a_secret_an_otpauth_uri_and_an_svg_qr_code():
    e = totp.enroll("alice@example.com")
    uri = urlparse(e.uri)
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert parse_qs(uri.query)["issuer"] == ["ChatOps Commander"]
    assert parse_qs(uri.query)["secret"] == [e.secret]
    assert e.qr_svg.startswith("<svg")
    assert len(e.secret) == 32


def test_the_current_code_and_one_step_either_side_are_accepted():
    secret = totp.enroll("a@example.com").secret
    for offset in (-30, 0, 30):
        code = totp.code_at(secret, T0 + timedelta(seconds=offset))
        assert totp.verify(secret, code, now=T0, last_used_step=None) == totp.time_step(T0) + offset // 30


def test_a_code_two_steps_away_is_refused():
    secret = totp.enroll("a@example.com").secret
    code = totp.code_at(secret, T0 - timedelta(seconds=61))
    with pytest.raises(CredentialRejected) as err:
        totp.verify(secret, code, now=T0, last_used_step=None)
    assert err.value.reason == "totp_wrong"
    assert err.value.localized("fr") == "Code d'authentification incorrect."


def test_a_replayed_code_is_refused():
    secret = totp.enroll("a@example.com").secret
    code = totp.code_at(secret, T0)
    step = totp.verify(secret, code, now=T0, last_used_step=None)
    with pytest.raises(CredentialRejected) as err:
        totp.verify(secret, code, now=T0 + timedelta(seconds=10), last_used_step=step)
    assert err.value.reason == "totp_replayed"
    older = totp.code_at(secret, T0 - timedelta(seconds=30))
    with pytest.raises(CredentialRejected):
        totp.verify(secret, older, now=T0, last_used_step=step)


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(CredentialRejected) as err:
        totp.verify("JBSWY3DPEHPK3PXP", bad, now=T0, last_used_step=None)
    assert err.value.reason == "totp_malformed"


def test_ten_distinct_recovery_codes_are_generated():
    codes = generate_recovery_codes()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)


def test_a_recovery_code_works_once_whatever_its_formatting():
    codes = generate_recovery_codes()
    stored = hash_recovery_codes(codes, HASHER)
    assert codes[3] not in "".join(stored)
    remaining = consume_recovery_code(codes[3].lower().replace("-", " "), stored, HASHER)
    assert len(remaining) == 9
    with pytest.raises(CredentialRejected) as err:
        consume_recovery_code(codes[3], remaining, HASHER)
    assert err.value.reason == "recovery_code_wrong"
    assert "déjà servi" in err.value.localized("fr")
