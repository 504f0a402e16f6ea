"""Access tokens: issued with kid/iat/nbf/exp/jti/sub/role/type, and every forgery refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chatops_commander.adapters.security.jwt_tokens import ACCESS_TTL, JwtCodec
from chatops_commander.domain.errors import AuthenticationFailed
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.errors import CredentialRejected

T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
KEY = b"K" * 16 + b"\x01\x02\x03" * 6
OTHER_KEY = b"Z" * 40
CODEC = JwtCodec({"k1": KEY}, "k1")


def b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def claims(**over) -> dict:
    stamp = int(T0.timestamp())
    base = {"iss": "chatops-commander", "sub": "u1", "role": "viewer", "type": "access", "jti": "j1",
            "iat": stamp, "nbf": stamp, "exp": stamp + 900}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def refused(token: str, now: datetime = T0, **kw) -> CredentialRejected:
    with pytest.raises(CredentialRejected) as err:
        CODEC.verify(token, now=now, **kw)
    assert isinstance(err.value, AuthenticationFailed)
    assert err.value.message != err.value.localized("fr")
    if token:
        assert token not in err.value.message
    return err.value


def test_an_issued_token_carries_every_claim_and_the_kid():
    token = CODEC.issue(subject="u1", role=Role.OPERATOR, now=T0)
    header = jwt.get_unverified_header(token)
    assert header["kid"] == "k1"
    assert header["alg"] == "HS256"
    c = CODEC.verify(token, now=T0 + timedelta(minutes=14))
    assert (c.subject, c.role, c.token_type, c.kid) == ("u1", Role.OPERATOR, "access", "k1")
    assert c.expires_at - c.issued_at == ACCESS_TTL == timedelta(minutes=15)
    assert c.jti


def test_jti_is_unique_per_token():
    a = CODEC.verify(CODEC.issue(subject="u1", role=Role.ADMIN, now=T0), now=T0)
    b = CODEC.verify(CODEC.issue(subject="u1", role=Role.ADMIN, now=T0), now=T0)
    assert a.jti != b.jti


def test_an_expired_token_is_refused():
    token = CODEC.issue(subject="u1", role=Role.ADMIN, now=T0)
    err = refused(token, now=T0 + timedelta(minutes=15))
    assert err.reason == "token_expired"
    assert "expiré" in err.localized("fr")


def test_alg_none_is_refused():
    token = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'k1'})}.{b64(claims(role='admin'))}."
    assert refused(token).reason == "token_bad_algorithm"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_algorithm_with_the_right_key_is_refused():
    token = jwt.encode(claims(), KEY, algorithm="HS512", headers={"kid": "k1"})
    assert refused(token).reason == "token_bad_algorithm"


def test_a_token_signed_with_another_key_is_refused():
    token = jwt.encode(claims(role="admin"), OTHER_KEY, algorithm="HS256", headers={"kid": "k1"})
    assert refused(token).reason == "token_bad_signature"


def test_a_tampered_payload_is_refused():
    head, _, sig = CODEC.issue(subject="u1", role=Role.VIEWER, now=T0).split(".")
    assert refused(f"{head}.{b64(claims(role='admin'))}.{sig}").reason == "token_bad_signature"


def test_an_unknown_kid_is_refused():
    token = jwt.encode(claims(), KEY, algorithm="HS256", headers={"kid": "k9"})
    assert refused(token).reason == "token_unknown_key"


@pytest.mark.parametrize("missing", ["sub", "role", "type", "jti", "iat", "nbf", "exp", "iss"])
def test_a_missing_claim_is_refused(missing):
    token = jwt.encode(claims(**{missing: None}), KEY, algorithm="HS256", headers={"kid": "k1"})
    assert refused(token).reason in {"token_missing_claim", "token_bad_issuer"}


def test_bad_claim_values_are_refused():
    assert refused(jwt.encode(claims(role="root"), KEY, algorithm="HS256", headers={"kid": "k1"})).reason \
        == "token_bad_claim"
    assert refused(jwt.encode(claims(iss="evil"), KEY, algorithm="HS256", headers={"kid": "k1"})).reason \
        == "token_bad_issuer"


def test_a_token_not_yet_valid_is_refused():
    token = jwt.encode(claims(nbf=int(T0.timestamp()) + 600), KEY, algorithm="HS256", headers={"kid": "k1"})
    assert refused(token).reason == "token_not_yet_valid"


def test_a_token_of_another_type_is_refused():
    token = CODEC.issue(subject="u1", role=Role.ADMIN, now=T0, token_type="ws")
    assert refused(token).reason == "token_wrong_type"
    assert CODEC.verify(token, now=T0, expected_type="ws").token_type == "ws"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x" * 5000])
def test_garbage_is_refused_as_malformed(garbage):
    assert refused(garbage).reason in {"token_malformed", "token_bad_algorithm", "token_unknown_key"}


def test_tokens_signed_with_an_old_key_still_verify_after_rotation():
    old = CODEC.issue(subject="u1", role=Role.VIEWER, now=T0)
    rotated = JwtCodec({"k1": KEY, "k2": OTHER_KEY}, "k2")
    assert rotated.verify(old, now=T0).kid == "k1"
    assert jwt.get_unverified_header(rotated.issue(subject="u1", role=Role.VIEWER, now=T0))["kid"] == "k2"


def test_short_keys_are_refused_at_construction():
    with pytest.raises(ValueError):
        JwtCodec({"k1": b"short"}, "k1")
