"""AES-256-GCM secrets at rest: round trip, tamper detection, binding, key rotation."""

from __future__ import annotations

import base64
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.adapters.security.keys import generate_key
from chatops_commander.adapters.security.secret_box import Keyring, SecretBox, reencrypt_all
from chatops_commander.domain.security.errors import SecretUnreadable

K1, K2 = secrets.token_bytes(32), secrets.token_bytes(32)
BOX = SecretBox(Keyring({"k1": K1}, "k1"))
PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n"


def unreadable(box: SecretBox, token: str, aad: bytes = b"") -> SecretUnreadable:
    with pytest.raises(SecretUnreadable) as err:
        box.decrypt(token, associated_data=aad)
    if len(token) > 8:
        assert token not in err.value.message
    assert err.value.localized("fr").startswith("Un secret stocké ne peut pas être déchiffré")
    return err.value


def test_format_names_version_and_key_and_nonce_is_96_bits():
    token = BOX.encrypt(PEM, associated_data=b"server:42")
    version, kid, nonce, _data = token.split(":")
    assert (version, kid) == ("v1", "k1")
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 12
    assert "PRIVATE" not in token
    assert BOX.decrypt_text(token, associated_data=b"server:42") == PEM


def test_the_same_plaintext_encrypts_differently_each_time():
    assert BOX.encrypt("same") != BOX.encrypt("same")


@given(st.binary(max_size=2048), st.binary(max_size=64))
def test_round_trip_for_any_bytes_and_associated_data(plaintext, aad):
    assert BOX.decrypt(BOX.encrypt(plaintext, associated_data=aad), associated_data=aad) == plaintext


@given(st.binary(min_size=1, max_size=256), st.data())
def test_flipping_any_bit_of_the_ciphertext_is_detected(plaintext, data):
    token = BOX.encrypt(plaintext)
    head, sealed_b64 = token.rsplit(":", 1)
    sealed = bytearray(base64.urlsafe_b64decode(sealed_b64 + "=" * (-len(sealed_b64) % 4)))
    index = data.draw(st.integers(0, len(sealed) - 1))
    sealed[index] ^= 1 << data.draw(st.integers(0, 7))
    forged = head + ":" + base64.urlsafe_b64encode(bytes(sealed)).rstrip(b"=").decode()
    assert unreadable(BOX, forged).reason == "tampered"


def test_a_ciphertext_moved_to_another_record_is_refused():
    token = BOX.encrypt("hunter2-password", associated_data=b"server:1")
    assert unreadable(BOX, token, b"server:2").reason == "tampered"


def test_a_ciphertext_relabelled_with_another_kid_is_refused():
    both = SecretBox(Keyring({"k1": K1, "k2": K1}, "k1"))  # even with identical key bytes
    token = both.encrypt("x")
    assert unreadable(both, token.replace(":k1:", ":k2:")).reason == "tampered"


def test_an_unknown_key_and_malformed_tokens_are_refused():
    other = SecretBox(Keyring({"k9": K2}, "k9"))
    assert unreadable(BOX, other.encrypt("x")).reason == "unknown_key"
    for bad in ("", "v1:k1", "v2:k1:AAAA:BBBB", "v1:k1:short:data", "v1:k1:!!!!:????"):
        assert unreadable(BOX, bad).reason == "malformed"


def test_rotation_reencrypts_under_the_new_key_and_old_ciphertexts_stay_readable():
    old_box = SecretBox(Keyring({"k1": K1}, "k1"))
    token = old_box.encrypt(PEM, associated_data=b"server:7")
    rotated = SecretBox(old_box.keyring.with_new_current("k2", K2))
    assert rotated.needs_reencrypt(token)
    fresh = rotated.reencrypt(token, associated_data=b"server:7")
    assert rotated.kid_of(fresh) == "k2"
    assert not rotated.needs_reencrypt(fresh)
    assert SecretBox(Keyring({"k2": K2}, "k2")).decrypt_text(fresh, associated_data=b"server:7") == PEM


def test_keyrings_load_from_configuration_and_refuse_bad_keys():
    ring = Keyring.from_encoded({"k1": generate_key(), "k2": generate_key()}, "k2")
    assert ring.current_kid == "k2"
    with pytest.raises(ValueError):
        Keyring({"k1": b"short"}, "k1")
    with pytest.raises(ValueError):
        Keyring({"k1": K1}, "k2")


def test_reencrypt_all_returns_only_records_still_under_an_old_key():
    old = SecretBox(Keyring({"k1": K1}, "k1"))
    a = old.encrypt("a", associated_data=b"server:1")
    rotated = SecretBox(old.keyring.with_new_current("k2", K2))
    b = rotated.encrypt("b", associated_data=b"server:2")
    changed = reencrypt_all(rotated, [("1", a, b"server:1"), ("2", b, b"server:2")])
    assert [rid for rid, _ in changed] == ["1"]
    assert rotated.decrypt_text(changed[0][1], associated_data=b"server:1") == "a"
    with pytest.raises(SecretUnreadable):
        reencrypt_all(rotated, [("1", a, b"server:other")])
