from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatops_commander.adapters.security.opaque_tokens import (
    API_TOKEN_PREFIX,
    TokenHasher,
    display_prefix,
    generate_api_token,
)
from chatops_commander.domain.errors import Conflict, PermissionDenied, ValidationFailed
from chatops_commander.domain.roles import Permission
from chatops_commander.domain.security.api_tokens import (
    ApiToken,
    TokenScope,
    check_scope,
    check_usable,
    record_use,
    revoke,
    rotate,
    use_worth_recording,
    validate_new_token,
)
from chatops_commander.domain.security.errors import CredentialRejected

T0 = datetime(2025, 6, 1, tzinfo=UTC)
HASHER = TokenHasher(b"k" * 32)


def make(scopes=("read",), expires_at=T0 + timedelta(days=30)) -> tuple[str, ApiToken]:
    secret = generate_api_token()
    parsed = validate_new_token("ci-bot", scopes, expires_at, T0)
    return secret, ApiToken(id="t1", user_id="u1", name="ci-bot", token_hash=HASHER.hash(secret),
                            scopes=parsed, created_at=T0, expires_at=expires_at,
                            display_prefix=display_prefix(secret))


def test_tokens_are_recognisable_stored_hashed_and_shown_by_prefix_only():
    secret, token = make()
    assert secret.startswith(API_TOKEN_PREFIX)
    assert token.token_hash != secret
    assert secret not in token.token_hash
    assert HASHER.matches(secret, token.token_hash)
    assert not HASHER.matches(secret + "x", token.token_hash)
    assert token.display_prefix == secret[:11]


def test_read_scope_cannot_execute_and_no_token_reaches_admin_actions():
    _, read_only = make(("read",))
    check_scope(read_only, Permission.READ)
    with pytest.raises(PermissionDenied) as err:
        check_scope(read_only, Permission.EXECUTE)
    assert "portées" in err.value.localized("fr")
    _, both = make(("read", "execute"))
    check_scope(both, Permission.EXECUTE)
    with pytest.raises(PermissionDenied):
        check_scope(both, Permission.ADMIN)


def test_expired_and_revoked_tokens_are_refused():
    _, token = make()
    check_usable(token, T0 + timedelta(days=29))
    with pytest.raises(CredentialRejected) as err:
        check_usable(token, T0 + timedelta(days=30))
    assert err.value.reason == "api_token_expired"
    with pytest.raises(CredentialRejected) as err:
        check_usable(revoke(token, T0), T0)
    assert err.value.reason == "api_token_revoked"
    assert err.value.localized("fr") == "Ce jeton d'API a été révoqué."


def test_rotation_keeps_the_old_token_valid_until_the_grace_period_ends():
    _, old = make(("execute",))
    now = T0 + timedelta(days=10)
    old2, new = rotate(old, new_id="t2", new_token_hash="h2", new_display_prefix="cc_pat_abcd",
                       now=now, grace=timedelta(hours=24))
    assert new.scopes == old.scopes
    assert new.expires_at == now + timedelta(days=30)
    assert old2.replaced_by == "t2"
    check_usable(old2, now + timedelta(hours=23))
    with pytest.raises(CredentialRejected) as err:
        check_usable(old2, now + timedelta(hours=24))
    assert err.value.reason == "api_token_rotated"
    with pytest.raises(Conflict):
        rotate(old2, new_id="t3", new_token_hash="h3", new_display_prefix="", now=now, grace=timedelta(0))


def test_grace_never_outlives_the_old_token_and_is_bounded():
    _, old = make(expires_at=T0 + timedelta(days=2))
    old2, _ = rotate(old, new_id="t2", new_token_hash="h", new_display_prefix="", now=T0 + timedelta(days=1),
                     grace=timedelta(days=7))
    assert old2.grace_until == T0 + timedelta(days=2)
    with pytest.raises(ValidationFailed):
        rotate(old, new_id="t2", new_token_hash="h", new_display_prefix="", now=T0, grace=timedelta(days=8))


def test_last_use_is_recorded():
    _, token = make()
    assert record_use(token, T0 + timedelta(hours=1)).last_used_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize(("name", "scopes", "expires"), [
    ("", ["read"], T0 + timedelta(days=1)),
    ("bot", ["root"], T0 + timedelta(days=1)),
    ("bot", [], T0 + timedelta(days=1)),
    ("bot", ["read"], T0 - timedelta(seconds=1)),
    ("bot", ["read"], T0 + timedelta(days=400)),
])
def test_invalid_new_tokens_are_refused(name, scopes, expires):
    with pytest.raises(ValidationFailed):
        validate_new_token(name, scopes, expires, T0)


def test_scopes_parse_to_the_enum():
    assert validate_new_token("bot", ["read", "execute"], None, T0) == {TokenScope.READ, TokenScope.EXECUTE}


def test_a_use_is_written_once_a_minute_not_on_every_request():
    _, token = make()
    assert use_worth_recording(token, T0)  # never used
    used = record_use(token, T0)
    assert not use_worth_recording(used, T0 + timedelta(seconds=59))  # "last used" would say the same
    assert use_worth_recording(used, T0 + timedelta(minutes=1))
