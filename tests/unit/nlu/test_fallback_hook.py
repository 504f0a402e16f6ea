"""The fallback hook: consulted only below the threshold, its proposal re-validated by the same rules."""

from __future__ import annotations

from collections.abc import Sequence

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.fallback import Proposal
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS
from tests.unit.nlu.conftest import INVENTORY


class FixedStrategy:
    def __init__(self, proposal: Proposal | None) -> None:
        self.proposal = proposal
        self.calls = 0

    async def propose(
        self, *, text: str, lang: str, catalog: Sequence[ActionSpec], inventory: Inventory,
        context: ConversationContext, offline: ParsedCommand,
    ) -> Proposal | None:
        self.calls += 1
        return self.proposal


async def test_a_confident_offline_answer_never_calls_the_strategy() -> None:
    strategy = FixedStrategy(Proposal("server.reboot", targets=("web-01",)))
    parsed, _ = await Parser(BUILTIN_SPECS, INVENTORY, fallback=strategy).parse_async("restart nginx on web-01")
    assert parsed.action == "service.restart" and strategy.calls == 0


async def test_a_proposal_is_resolved_with_the_same_rules() -> None:
    strategy = FixedStrategy(Proposal("service.restart", targets=("web-01", "web-02", "nowhere"), service="nginx"))
    parser = Parser(BUILTIN_SPECS, INVENTORY, fallback=strategy)
    parsed, _ = await parser.parse_async("could you make the thing on the boxes go again")
    assert strategy.calls == 1
    assert (parsed.action, parsed.targets, parsed.risk) == ("service.restart", ("web-01", "web-02"), "high")


async def test_an_unknown_action_from_the_strategy_keeps_the_offline_answer() -> None:
    strategy = FixedStrategy(Proposal("rm.everything"))
    parsed, _ = await Parser(BUILTIN_SPECS, INVENTORY, fallback=strategy).parse_async("blorp the snorf")
    assert parsed.action is None and parsed.clarification


def test_sync_parsing_ignores_the_strategy() -> None:
    strategy = FixedStrategy(Proposal("server.reboot", targets=("web-01",)))
    assert Parser(BUILTIN_SPECS, INVENTORY, fallback=strategy).parse("blorp").action is None


async def test_a_proposal_of_a_negated_action_is_ignored() -> None:
    strategy = FixedStrategy(Proposal("server.reboot", targets=("web-01",), confidence=0.99))
    parser = Parser(BUILTIN_SPECS, INVENTORY, fallback=strategy)
    parsed, _ = await parser.parse_async("don't reboot web-01 whatever happens")
    assert strategy.calls == 1 and parsed.action != "server.reboot"
