"""Bad input: a clear answer or clarification, never an exception, never an action not asked for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatops_commander.domain.actions import Intent
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS
from tests.unit.nlu.conftest import INVENTORY, PARSER

SPECS = {s.id: s for s in BUILTIN_SPECS}


def _check_contract(parsed: ParsedCommand) -> None:
    assert set(parsed.targets) <= set(INVENTORY.names)
    assert parsed.action is None or parsed.action in SPECS
    if parsed.clarification:
        assert parsed.action is None
    if parsed.action is None:
        assert parsed.targets == ()
    else:
        spec = SPECS[parsed.action]
        assert parsed.intent == spec.intent
        if parsed.action != "shell.run":
            assert parsed.risk.rank >= spec.risk.rank
    assert parsed.requires_confirmation == (parsed.risk != "low")
    assert 0.0 <= parsed.confidence <= 1.0
    data = parsed.to_json()
    assert data["targets"] == sorted(data["targets"])


def test_empty_text_gets_a_question(parser: Parser) -> None:
    parsed = parser.parse("   ")
    assert parsed.action is None and parsed.intent is Intent.UNKNOWN and parsed.clarification


def test_text_over_2000_characters_is_rejected_in_both_languages(parser: Parser) -> None:
    parsed = parser.parse("restart nginx on web-01 " * 5000)
    assert parsed.action is None
    assert "2000" in (parsed.clarification or "") and "trop long" in (parsed.clarification or "")


@pytest.mark.parametrize("text", [
    "'; DROP TABLE servers; --", "$(reboot)", "status of `rm -rf /`", "🔥🔥🔥", "\x00\x07\x1b[31m",
    "restart nginx on ../../etc/passwd; reboot", "SELECT * FROM users WHERE 1=1",
])
def test_injection_fragments_never_become_targets(parser: Parser, text: str) -> None:
    parsed = parser.parse(text)
    _check_contract(parsed)
    assert parsed.action not in ("server.reboot", "shell.run", "server.remove")


def test_control_characters_and_emoji_do_not_hide_the_request(parser: Parser) -> None:
    parsed = parser.parse("redémarre\x00 nginx sur web-01 🙏")
    assert (parsed.action, parsed.targets) == ("service.restart", ("web-01",))


def test_an_off_topic_request_gets_suggestions_not_an_action(parser: Parser) -> None:
    parsed = parser.parse("tell me a joke")
    assert parsed.action is None and parsed.intent is Intent.UNKNOWN and parsed.clarification


def test_a_greeting_with_a_question_is_the_question(parser: Parser) -> None:
    assert parser.parse("Bonjour, tout va bien ?").action == "fleet.health"
    assert parser.parse("bonjour").action == "chat.greeting"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_and_keeps_the_contract(text: str) -> None:
    _check_contract(PARSER.parse(text))


WORDS = st.sampled_from([
    "restart", "redémarre", "nginx", "web-01", "web1", "on", "sur", "all", "tous", "les", "serveurs", "it",
    "stop", "logs", "50", "lines", "deploy", "v2.5.0", "prod", "'ls'", ";", "rm -rf /", "1", "db", "kill",
    "4242", "reboot", "pg", "et", "same", "😀", "\x00", "DROP", "everything", "web", "servers",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=8).map(" ".join), min_size=1, max_size=3))
def test_word_soup_conversations_keep_the_contract(turns: list[str]) -> None:
    ctx = ConversationContext()
    for turn in turns:
        parsed, ctx = PARSER.parse_turn(turn, ctx)
        _check_contract(parsed)
        assert ConversationContext.from_dict(ctx.to_dict()) == ctx


def test_only_emoji_gets_its_own_clear_answer(parser: Parser) -> None:
    parsed = parser.parse("😀🔥🚀")
    assert parsed.action is None and "emoji" in (parsed.clarification or "")
