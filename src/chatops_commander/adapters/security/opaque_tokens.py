"""Opaque tokens (refresh tokens, API tokens, recovery codes): generation and storage hashes.

A token is `<prefix><secrets.token_urlsafe(32)>` (256 random bits), shown once. Only
HMAC-SHA256(pepper, token) is stored; the pepper is a server secret kept outside the
database, so a database dump alone cannot be used to check guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

REFRESH_PREFIX = "cc_rt_"
API_TOKEN_PREFIX = "cc_pat_"  # noqa: S105  (a prefix, not a secret)
TOKEN_BYTES = 32
DISPLAY_CHARS = 4


def generate_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def generate_refresh_token() -> str:
    return generate_token(REFRESH_PREFIX)


def generate_api_token() -> str:
    return generate_token(API_TOKEN_PREFIX)


def display_prefix(token: str) -> str:
    """A short, non-secret handle for lists: the prefix plus 4 characters (e.g. `cc_pat_Ab3x`)."""
    for prefix in (API_TOKEN_PREFIX, REFRESH_PREFIX):
        if token.startswith(prefix):
            return token[: len(prefix) + DISPLAY_CHARS]
    return token[:DISPLAY_CHARS]


def has_prefix(token: str, prefix: str) -> bool:
    return token.startswith(prefix) and len(token) > len(prefix)


class TokenHasher:
    """HMAC-SHA256 with a server pepper (bytes, ≥ 32). Without a pepper: plain SHA-256."""

    def __init__(self, pepper: bytes | None = None) -> None:
        if pepper is not None and len(pepper) < 32:
            raise ValueError("the token pepper must be at least 32 bytes")
        self._pepper = pepper

    def hash(self, token: str) -> str:
        data = token.encode("utf-8")
        if self._pepper is None:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(self._pepper, data, hashlib.sha256).hexdigest()

    def matches(self, token: str, stored_hash: str) -> bool:
        """Constant-time comparison of the token's hash with a stored one."""
        return hmac.compare_digest(self.hash(token).encode("ascii"), stored_hash.encode("ascii", "replace"))
