"""`LLMFallback.propose`, the offline parser's `FallbackStrategy` hook, with the real SDKs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from chatops_commander.adapters.llm import build_intent_model
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.risk import Risk
from chatops_commander.nlu.llm import CircuitBreaker, IntentModel, LLMFallback, Proposal
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS
from tests.integration.llm.llm_wire_server import Reply, WireServer, anthropic_tool_use, openai_tool_call

KEY = "sk-test-hook-key"


@dataclass
class Hook:
    fallback: LLMFallback
    tool: Any  # dict → Reply


@pytest.fixture(params=["anthropic", "openai"])
async def hook(request: pytest.FixtureRequest, wire: WireServer) -> AsyncIterator[Hook]:
    model: IntentModel | None
    if request.param == "anthropic":
        model = build_intent_model("anthropic", model="claude-test", base_url=wire.base_url, api_key=KEY)
        tool = anthropic_tool_use
    else:
        model = build_intent_model("openai", model="gpt-test", base_url=wire.base_url + "/v1", api_key=KEY)

        def tool(arguments: dict[str, Any]) -> Reply:
            return openai_tool_call(json.dumps(arguments))
    assert model is not None
    yield Hook(LLMFallback(model, BUILTIN_SPECS, timeout_s=0.3,
                           breaker=CircuitBreaker(failure_threshold=2, cooldown_s=60)), tool)
    await model.aclose()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Ctx:
    action: str | None = "service.status"
    targets: tuple[str, ...] = ("web-02",)
    service: str | None = "nginx"


async def ask(hook: Hook, text: str, inventory: Inventory, **kw: Any) -> Proposal | None:
    return await hook.fallback.propose(text=text, lang="en", catalog=BUILTIN_SPECS, inventory=inventory,
                                       context=kw.pop("context", None), offline=None, **kw)


async def test_the_hook_returns_a_resolved_normalized_proposal_and_sends_the_context(
    hook: Hook, wire: WireServer, inventory: Inventory
) -> None:
    wire.script(hook.tool({"action": "service.logs", "targets": ["web 2"], "service": "NGINX",
                           "parameters": {"lines": "30", "since": "2H"}, "confidence": 0.85}))
    proposal = await ask(hook, "and its logs, 30 lines, last 2 hours", inventory, context=Ctx())
    assert proposal == Proposal("service.logs", ("web-02",), "nginx", {"lines": 30, "since": "2h"}, 0.85)
    assert "last targets: web-02; last service: nginx" in json.dumps(wire.last.body)


async def test_the_hook_gives_nothing_for_refused_slow_or_failing_answers(
    hook: Hook, wire: WireServer, inventory: Inventory
) -> None:
    wire.script(
        hook.tool({"action": "shell.run", "targets": ["web-01"], "parameters": {"command": "reboot"}}),
        hook.tool({"action": "service.restart", "targets": ["web-99"], "service": "nginx", "parameters": {}}),
        Reply(hold=True),
        Reply(500, {"error": "boom"}),
    )
    answers = [await ask(hook, "reboot web-01 with a command", inventory),
               await ask(hook, "restart nginx on web-99", inventory),
               await ask(hook, "restart nginx on web-01", inventory),
               await ask(hook, "restart nginx on web-01", inventory),
               await ask(hook, "restart nginx on web-01", inventory)]  # breaker open: no request
    assert answers == [None] * 5
    assert len(wire.requests) == 4


async def test_the_offline_parser_resolves_the_models_proposal_with_its_own_rules(
    hook: Hook, wire: WireServer, inventory: Inventory
) -> None:
    parser_module = pytest.importorskip("chatops_commander.nlu.parser")
    parser = parser_module.Parser(BUILTIN_SPECS, inventory, fallback=hook.fallback, threshold=1.01)
    wire.script(hook.tool({"action": "service.restart", "targets": ["web1"], "service": "nginx",
                           "parameters": {}, "confidence": 0.9}))
    parsed, _ = await parser.parse_async("bounce the proxy thing on web1 pls")
    assert parsed.action == "service.restart"
    assert parsed.targets == ("web-01",)
    assert parsed.service == "nginx"
    assert parsed.risk is Risk.MEDIUM
