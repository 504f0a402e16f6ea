from __future__ import annotations

from argon2 import PasswordHasher

from chatops_commander.adapters.security.passwords import Argon2PasswordHasher, login_refused

FAST = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


def test_hashes_are_argon2id_and_verify_only_the_right_password():
    stored = FAST.hash("violet-tram-42-harbour")
    assert stored.startswith("$argon2id$")
    assert FAST.verify(stored, "violet-tram-42-harbour")
    assert not FAST.verify(stored, "violet-tram-42-harbouR")


def test_two_hashes_of_the_same_password_differ_by_salt():
    assert FAST.hash("same password here") != FAST.hash("same password here")


def test_an_unreadable_stored_hash_never_verifies():
    assert not FAST.verify("not-a-hash", "anything")
    assert FAST.needs_rehash("not-a-hash")


def test_changed_parameters_ask_for_a_rehash():
    default = Argon2PasswordHasher()
    old = FAST.hash("violet-tram-42-harbour")
    assert default.needs_rehash(old)
    assert not FAST.needs_rehash(old)
    assert not default.needs_rehash(default.hash("violet-tram-42-harbour"))


def test_defaults_are_at_least_the_owasp_argon2id_floor():
    params = PasswordHasher().hash("x")  # library default, for comparison
    ours = Argon2PasswordHasher().hash("x")
    assert "m=65536,t=3,p=4" in ours
    assert params.startswith("$argon2id$")


def test_burn_spends_a_verification_without_matching():
    FAST.burn("whatever")


def test_the_login_refusal_does_not_say_which_part_was_wrong():
    err = login_refused()
    assert err.message == "Wrong e-mail or password."
    assert err.localized("fr") == "E-mail ou mot de passe incorrect."
