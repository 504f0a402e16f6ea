from __future__ import annotations

import pytest

from chatops_commander.adapters.security.common_passwords import load_common_passwords
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.security.password_policy import check_password, password_problems

COMMON = load_common_passwords()
EMAIL = "alice.martin@example.com"


def codes(password: str) -> set[str]:
    return {p.code for p in password_problems(password, email=EMAIL, common_passwords=COMMON)}


def test_bundled_list_is_loaded_lower_case_without_comments():
    assert "password1234" in COMMON
    assert "motdepasse123" in COMMON
    assert all(p == p.casefold() and not p.startswith("#") for p in COMMON)


def test_a_long_unusual_password_is_accepted():
    check_password("violet-tram-42-harbour", email=EMAIL, common_passwords=COMMON)


def test_short_passwords_are_refused():
    assert codes("Xy7!short") == {"too_short"}


def test_common_passwords_are_refused_whatever_their_case():
    assert "common" in codes("Password1234")


def test_the_email_or_its_local_part_is_refused():
    assert "is_email" in codes(EMAIL.upper())
    assert "is_email" in codes("alice.martin")
    assert "is_email" in codes("xx-Alice.Martin-2024")


def test_repeated_single_character_is_refused():
    assert "repeated" in codes("z" * 20)


def test_rejection_lists_every_problem_in_english_and_french():
    with pytest.raises(ValidationFailed) as err:
        check_password("azerty", email=EMAIL, common_passwords=COMMON)
    assert "at least 12 characters" in err.value.message
    assert "au moins 12 caractères" in err.value.localized("fr")
    assert "trop courant" in err.value.localized("fr")
    assert [f for f, _ in err.value.problems] == ["password", "password"]
