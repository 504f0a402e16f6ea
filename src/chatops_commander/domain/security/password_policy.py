"""Password policy: length ≥ 12, not the e-mail or its local part, not a common password.

The common-password list is data: an adapter loads the bundled resource and passes it in.
"""

from __future__ import annotations

from collections.abc import Set

from chatops_commander.domain.security.policy_problems import PolicyProblem, PolicyRejected

MIN_LENGTH = 12
MAX_LENGTH = 1024  # bounds the hashing cost of a request
MIN_LOCAL_PART_TO_MATCH = 4


def password_problems(password: str, *, email: str, common_passwords: Set[str]) -> list[PolicyProblem]:
    """Every rule the password breaks (empty list: acceptable). `common_passwords` is lower-case."""
    problems: list[PolicyProblem] = []
    if len(password) < MIN_LENGTH:
        problems.append(PolicyProblem(
            "too_short", f"must be at least {MIN_LENGTH} characters long",
            f"doit contenir au moins {MIN_LENGTH} caractères"))
    if len(password) > MAX_LENGTH:
        problems.append(PolicyProblem(
            "too_long", f"must be at most {MAX_LENGTH} characters long",
            f"doit contenir au plus {MAX_LENGTH} caractères"))
    folded = password.casefold()
    email_folded = email.strip().casefold()
    local = email_folded.split("@", 1)[0]
    contains_local = len(local) >= MIN_LOCAL_PART_TO_MATCH and local in folded
    if folded and (folded in (email_folded, local) or contains_local):
        problems.append(PolicyProblem(
            "is_email", "must not be your e-mail address or contain its local part",
            "ne doit pas être votre adresse e-mail ni contenir sa partie locale"))
    if folded in common_passwords:
        problems.append(PolicyProblem(
            "common", "is a commonly used password; choose another",
            "est un mot de passe trop courant ; choisissez-en un autre"))
    if password and len(set(password)) == 1:
        problems.append(PolicyProblem(
            "repeated", "must not repeat a single character",
            "ne doit pas répéter un seul caractère"))
    return problems


def check_password(password: str, *, email: str, common_passwords: Set[str]) -> None:
    """Raise `PolicyRejected` (a `ValidationFailed` on field `password`) listing every problem."""
    problems = password_problems(password, email=email, common_passwords=common_passwords)
    if problems:
        raise PolicyRejected("password", problems)
