from __future__ import annotations

import pytest

from chatops_commander.domain.risk import Risk, effective_risk


class TestEffectiveRisk:
    """The fan-out modifier of ACTIONS.md."""

    @pytest.mark.parametrize("base", [Risk.MEDIUM, Risk.HIGH])
    def test_medium_or_above_on_several_hosts_goes_up_one_level(self, base: Risk) -> None:
        assert effective_risk(base, 2) is base.raised()
        assert effective_risk(base, 2).rank == base.rank + 1

    def test_low_never_moves(self) -> None:
        assert effective_risk(Risk.LOW, 50) is Risk.LOW

    def test_critical_is_capped(self) -> None:
        assert effective_risk(Risk.CRITICAL, 10) is Risk.CRITICAL

    @pytest.mark.parametrize("base", list(Risk))
    def test_single_host_keeps_base_risk(self, base: Risk) -> None:
        assert effective_risk(base, 1) is base

    def test_only_low_needs_no_confirmation(self) -> None:
        assert [r.requires_confirmation for r in Risk] == [False, True, True, True]

    def test_highest_of_a_chain(self) -> None:
        assert Risk.highest([Risk.LOW, Risk.HIGH, Risk.MEDIUM]) is Risk.HIGH
        assert Risk.highest([]) is Risk.LOW
