"""Strength check for configured secrets (JWT key, encryption keys, peppers).

Refuses short values, known placeholders ("changethis", "secret"…), few distinct characters
and a low estimated entropy (Shannon entropy per character × length).
"""

from __future__ import annotations

import math
from collections import Counter

from chatops_commander.domain.security.policy_problems import PolicyProblem, PolicyRejected

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARS = 10
MIN_ENTROPY_BITS = 100.0
WEAK_MARKERS: tuple[str, ...] = (
    "changethis", "changeme", "change_me", "change-me", "secret", "password", "default",
    "example", "sample", "dummy", "test", "admin", "12345", "qwerty", "letmein", "xxxx",
)


def estimated_entropy_bits(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    per_char = -sum((c / n) * math.log2(c / n) for c in counts.values())
    return per_char * n


def secret_problems(value: str, *, min_length: int = MIN_SECRET_LENGTH) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    if len(value) < min_length:
        problems.append(PolicyProblem(
            "too_short", f"must be at least {min_length} characters long",
            f"doit contenir au moins {min_length} caractères"))
    folded = value.casefold()
    marker = next((m for m in WEAK_MARKERS if m in folded), None)
    if marker is not None:
        problems.append(PolicyProblem(
            "placeholder", f"looks like a placeholder (contains {marker!r}); generate a random value",
            f"ressemble à une valeur d'exemple (contient {marker!r}) ; générez une valeur aléatoire"))
    if len(set(value)) < MIN_DISTINCT_CHARS:
        problems.append(PolicyProblem(
            "repetitive", "has too few distinct characters",
            "contient trop peu de caractères différents"))
    if estimated_entropy_bits(value) < MIN_ENTROPY_BITS:
        problems.append(PolicyProblem(
            "low_entropy", f"is too predictable (needs about {MIN_ENTROPY_BITS:.0f} bits of entropy)",
            f"est trop prévisible (il faut environ {MIN_ENTROPY_BITS:.0f} bits d'entropie)"))
    return problems


def check_secret(name: str, value: str, *, min_length: int = MIN_SECRET_LENGTH) -> None:
    """Raise `PolicyRejected` on field `name`; the value itself never appears in the message."""
    problems = secret_problems(value, min_length=min_length)
    if problems:
        raise PolicyRejected(name, problems)
