from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatops_commander.adapters.security.keys import (
    check_configured_secret,
    check_kid,
    decode_key,
    generate_key,
    new_kid,
)
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.security.secret_strength import secret_problems


def test_generated_keys_are_32_bytes_and_pass_the_strength_check():
    key = generate_key()
    assert len(key) == 43
    assert len(decode_key("CHATOPS_SECRET_KEY", key)) == 32
    check_configured_secret("CHATOPS_JWT_SECRET", key)


@pytest.mark.parametrize("weak", ["changethis", "secret", "a" * 64, "changethis" * 5, "ab" * 40,
                                  "0123456789" * 4])
def test_weak_configured_secrets_are_refused(weak):
    assert secret_problems(weak)


def test_refusal_never_echoes_the_secret_and_is_bilingual():
    value = "mysecret-value-that-is-long-enough-but-weak"
    with pytest.raises(ValidationFailed) as err:
        check_configured_secret("CHATOPS_JWT_SECRET", value)
    assert value not in err.value.message
    assert value not in err.value.localized("fr")
    assert "placeholder" in err.value.message
    assert "valeur d'exemple" in err.value.localized("fr")


def test_a_key_of_the_wrong_size_is_refused():
    with pytest.raises(ValidationFailed):
        decode_key("k", "c2hvcnQ")
    with pytest.raises(ValidationFailed):
        decode_key("k", "not base64 at all !!")


def test_key_ids_are_readable_and_validated():
    kid = new_kid(datetime(2025, 1, 2, tzinfo=UTC))
    assert kid.startswith("k20250102-")
    assert check_kid(kid) == kid
    with pytest.raises(ValidationFailed):
        check_kid("bad:kid")
