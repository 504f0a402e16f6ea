"""Refresh-token families: rotation on every use, reuse of a rotated token revokes the family."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatops_commander.adapters.security.opaque_tokens import TokenHasher, generate_refresh_token
from chatops_commander.domain.security.errors import CredentialRejected
from chatops_commander.domain.security.refresh_sessions import (
    REFRESH_TTL,
    RefreshSession,
    RevokeReason,
    invalid_refresh_token,
    revoke_family,
    rotate,
    start_family,
)

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
HASHER = TokenHasher(b"p" * 16 + b"e" * 16)


class Store:
    """A dict standing in for the `refresh_sessions` table, keyed by id."""

    def __init__(self) -> None:
        self.rows: dict[str, RefreshSession] = {}

    def save(self, *sessions: RefreshSession | None) -> None:
        for s in sessions:
            if s is not None:
                self.rows[s.id] = s

    def by_token(self, token: str) -> RefreshSession:
        for row in self.rows.values():
            if HASHER.matches(token, row.token_hash):
                return row
        raise invalid_refresh_token()

    def family(self, family_id: str) -> list[RefreshSession]:
        return [r for r in self.rows.values() if r.family_id == family_id]


def login(store: Store) -> str:
    token = generate_refresh_token()
    store.save(start_family(session_id="s0", user_id="u1", token_hash=HASHER.hash(token), now=T0))
    return token


def use(store: Store, token: str, now: datetime, new_id: str) -> tuple[str, object]:
    presented = store.by_token(token)
    new_token = generate_refresh_token()
    result = rotate(presented, store.family(presented.family_id), new_session_id=new_id,
                    new_token_hash=HASHER.hash(new_token), now=now)
    store.save(*result.updates, result.new_session)
    return new_token, result


def test_each_use_rotates_the_token_within_the_same_family():
    store = Store()
    t0 = login(store)
    t1, r1 = use(store, t0, T0 + timedelta(minutes=10), "s1")
    assert r1.accepted
    assert store.rows["s0"].rotated_at is not None
    assert store.rows["s1"].parent_id == "s0"
    assert store.rows["s1"].family_id == "s0"
    assert store.rows["s1"].expires_at == T0 + timedelta(minutes=10) + REFRESH_TTL
    _, r2 = use(store, t1, T0 + timedelta(minutes=20), "s2")
    assert r2.accepted


def test_reusing_a_rotated_token_revokes_the_whole_family():
    store = Store()
    t0 = login(store)
    t1, _ = use(store, t0, T0 + timedelta(minutes=1), "s1")
    _, replay = use(store, t0, T0 + timedelta(minutes=2), "s-attacker")
    assert replay.reuse_detected
    assert not replay.accepted
    assert "s-attacker" not in store.rows
    assert all(r.revoked_reason == RevokeReason.REUSE_DETECTED for r in store.rows.values())
    _, after = use(store, t1, T0 + timedelta(minutes=3), "s2")  # the legitimate holder is out too
    assert after.error is not None
    assert after.error.reason == "refresh_revoked"
    with pytest.raises(CredentialRejected) as err:
        replay.raise_if_refused()
    assert err.value.reason == "refresh_reused"
    assert "révoquées" in err.value.localized("fr")


def test_an_expired_refresh_token_is_refused():
    store = Store()
    t0 = login(store)
    _, result = use(store, t0, T0 + REFRESH_TTL, "s1")
    assert result.error is not None
    assert result.error.reason == "refresh_expired"
    assert result.updates == ()


def test_an_unknown_token_is_refused_with_a_bilingual_message():
    store = Store()
    login(store)
    with pytest.raises(CredentialRejected) as err:
        store.by_token("cc_rt_forged")
    assert err.value.localized("fr").startswith("Votre session n'est pas valide")


def test_logout_everywhere_revokes_only_what_is_still_live():
    store = Store()
    login(store)
    store.save(start_family(session_id="other", user_id="u1", token_hash="h", now=T0))
    store.save(*revoke_family([store.rows["other"]], now=T0, reason=RevokeReason.LOGOUT))
    changed = revoke_family(store.rows.values(), now=T0 + timedelta(hours=1),
                            reason=RevokeReason.PASSWORD_CHANGED)
    assert [s.id for s in changed] == ["s0"]
    assert changed[0].revoked_reason == RevokeReason.PASSWORD_CHANGED
