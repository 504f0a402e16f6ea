"""One-time 2FA recovery codes: 10 codes of 80 random bits, shown once, stored hashed.

Codes look like `K7QX-9MFA-2B3C-PDT4` (Crockford-like base32 without I, L, O, U); input is
normalised (case, spaces and dashes ignored) before hashing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from chatops_commander.adapters.security.opaque_tokens import TokenHasher
from chatops_commander.domain.security.errors import rejected

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_COUNT = 10
GROUPS, GROUP_LEN = 4, 4


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def generate_recovery_codes(count: int = CODE_COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
        codes.append("-".join(raw[i:i + GROUP_LEN] for i in range(0, len(raw), GROUP_LEN)))
    return codes


def hash_recovery_codes(codes: Sequence[str], hasher: TokenHasher) -> list[str]:
    return [hasher.hash(normalize(code)) for code in codes]


def consume_recovery_code(code: str, stored_hashes: Sequence[str], hasher: TokenHasher) -> list[str]:
    """The remaining hashes once `code` is used up (persist them); refuses unknown/used codes."""
    normalized = normalize(code)
    remaining = list(stored_hashes)
    match = None
    for index, stored in enumerate(remaining):  # check all: no early exit on a match
        if hasher.matches(normalized, stored) and match is None:
            match = index
    if match is None:
        raise rejected("recovery_code_wrong", "This recovery code is wrong or was already used.",
                       "Ce code de secours est incorrect ou a déjà servi.")
    del remaining[match]
    return remaining
