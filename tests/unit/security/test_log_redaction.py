"""The log redaction processor never lets a planted secret through."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from chatops_commander.adapters.security.jwt_tokens import JwtCodec
from chatops_commander.adapters.security.opaque_tokens import generate_api_token, generate_refresh_token
from chatops_commander.adapters.security.redaction import REDACTED, SecretRedactor
from chatops_commander.domain.roles import Role

PLANTED = "Pl4nted-S3cret-Value-9f8e7d"
REDACT = SecretRedactor([PLANTED])


def rendered(event: dict) -> str:
    return json.dumps(REDACT(None, "info", event), default=str, ensure_ascii=False)


def test_keys_named_like_secrets_are_masked_at_any_depth():
    out = REDACT(None, "info", {
        "event": "login", "password": "pw", "user": {"Authorization": "Basic abc", "name": "alice"},
        "servers": [{"ssh_private_key": "-----BEGIN...", "host": "web-01"}],
        "CHATOPS_JWT_SECRET": "x", "api_key": "y", "refresh_token": "z", "token_type": "bearer",
    })
    assert out["password"] == REDACTED
    assert out["user"] == {"Authorization": REDACTED, "name": "alice"}
    assert out["servers"][0] == {"ssh_private_key": REDACTED, "host": "web-01"}
    assert out["CHATOPS_JWT_SECRET"] == REDACTED
    assert out["api_key"] == REDACTED
    assert out["refresh_token"] == REDACTED
    assert out["token_type"] == "bearer"
    assert out["event"] == "login"


def test_known_secret_values_are_masked_inside_any_string():
    out = REDACT(None, "error", {"event": f"ssh failed with password {PLANTED} on web-01"})
    assert out["event"] == f"ssh failed with password {REDACTED} on web-01"


def test_our_tokens_jwts_bearer_headers_and_pem_keys_are_recognised():
    jwt_token = JwtCodec({"k": b"j" * 32}, "k").issue(subject="u", role=Role.ADMIN, now=datetime.now(UTC))
    values = [generate_api_token(), generate_refresh_token(), jwt_token, "Bearer abcdefgh12345678",
              "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"]
    for value in values:
        text = rendered({"event": f"got {value} here", "nested": [(f"x{value}",)]})
        assert value not in text
        assert REDACTED in text


def test_the_input_is_not_modified_and_other_values_keep_their_type():
    when = datetime(2025, 1, 1, tzinfo=UTC)
    event = {"event": "x", "password": "pw", "when": when, "count": 3}
    out = REDACT(None, "info", event)
    assert event["password"] == "pw"
    assert out["when"] is when
    assert out["count"] == 3


def test_exceptions_are_rendered_without_the_secret():
    out = REDACT(None, "error", {"event": "boom", "error": RuntimeError(f"connect: {PLANTED}")})
    assert PLANTED not in str(out)


def test_short_values_are_not_registered_to_avoid_masking_ordinary_words():
    redactor = SecretRedactor(["abc"])
    assert redactor(None, "info", {"event": "abc def"})["event"] == "abc def"


keys = st.text(min_size=1, max_size=12)
leaves = st.none() | st.integers() | st.text(max_size=15) | st.booleans()


@st.composite
def with_planted(draw: st.DrawFn) -> dict:
    """An arbitrary nested structure with the secret planted somewhere (value or inside text)."""
    prefix, suffix = draw(st.text(max_size=6)), draw(st.text(max_size=6))
    planted = prefix + PLANTED + suffix
    tree = draw(st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
        | st.dictionaries(keys, inner, max_size=3), max_leaves=12))
    path = draw(st.lists(st.one_of(keys, st.integers(0, 2)), max_size=4))
    node: object = planted
    for step in reversed(path):
        node = {step: node} if isinstance(step, str) else [tree] * step + [node]
    if draw(st.booleans()):
        node = {planted: node}  # planted in a key as well
    return {"event": draw(st.text(max_size=10)), "payload": node, "other": tree}


@settings(max_examples=200)
@given(with_planted())
def test_a_planted_secret_never_survives_in_arbitrary_nested_structures(event):
    assert PLANTED not in rendered(event)
