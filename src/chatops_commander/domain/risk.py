"""Risk levels and the rules that move them (ACTIONS.md, "Risk")."""

from __future__ import annotations

from enum import StrEnum


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def requires_confirmation(self) -> bool:
        """Every level above `low` needs the requester's confirmation."""
        return self is not Risk.LOW

    def raised(self) -> Risk:
        """One level up, capped at `critical`."""
        return _ORDER[min(self.rank + 1, len(_ORDER) - 1)]

    @classmethod
    def highest(cls, risks: list[Risk] | tuple[Risk, ...]) -> Risk:
        return max(risks, key=lambda r: r.rank, default=cls.LOW)


_ORDER: tuple[Risk, ...] = (Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL)


def effective_risk(base: Risk, host_count: int) -> Risk:
    """Base risk after the fan-out modifier: `medium`+ on more than one host goes up one level.

    Risk is never lowered.
    """
    if base.rank >= Risk.MEDIUM.rank and host_count > 1:
        return base.raised()
    return base
