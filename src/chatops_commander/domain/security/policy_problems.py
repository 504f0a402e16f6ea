"""A bilingual policy problem, and the `ValidationFailed` that carries a list of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatops_commander.domain.errors import ValidationFailed


@dataclass(frozen=True)
class PolicyProblem:
    code: str  # stable, e.g. "too_short", "common", "is_email"
    en: str
    fr: str


class PolicyRejected(ValidationFailed):
    """`ValidationFailed` whose French message is really in French."""

    def __init__(self, field: str, problems: Sequence[PolicyProblem]) -> None:
        super().__init__([(field, p.en) for p in problems])
        self.field = field
        self.policy_problems = tuple(problems)
        text_fr = "; ".join(f"{field} : {p.fr}" for p in problems)
        self.message_fr = f"Entrée invalide — {text_fr}"
