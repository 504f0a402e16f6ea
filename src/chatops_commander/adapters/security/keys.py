"""Key material helpers: generate and decode 32-byte keys (base64 url-safe), key ids, and the
strength check applied to configured secrets at start-up."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import datetime

from chatops_commander.domain.security.policy_problems import PolicyProblem, PolicyRejected
from chatops_commander.domain.security.secret_strength import check_secret

KEY_BYTES = 32
KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def generate_key() -> str:
    """32 random bytes, base64 url-safe without padding (43 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).rstrip(b"=").decode("ascii")


def decode_key(name: str, encoded: str) -> bytes:
    """The 32 raw bytes of a configured key; `PolicyRejected` (never echoing it) otherwise."""
    text = encoded.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise PolicyRejected(name, [PolicyProblem(
            "bad_key", "must be 32 random bytes encoded in url-safe base64 (see `generate_key`)",
            "doit être 32 octets aléatoires encodés en base64 url-safe (voir `generate_key`)")])
    check_secret(name, text, min_length=43)
    return raw


def new_kid(now: datetime) -> str:
    """A readable, unique key id such as `k20250101-3fa2`."""
    return f"k{now:%Y%m%d}-{secrets.token_hex(2)}"


def check_kid(kid: str) -> str:
    if not KID_RE.match(kid):
        raise PolicyRejected("kid", [PolicyProblem(
            "bad_kid", "a key id is 1 to 32 letters, digits, '_' or '-'",
            "un identifiant de clé fait 1 à 32 lettres, chiffres, '_' ou '-'")])
    return kid


def check_configured_secret(name: str, value: str) -> None:
    """Refuse weak configured secrets (JWT key, pepper): length, placeholders, entropy."""
    check_secret(name, value)
