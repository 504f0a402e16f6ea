"""Rule 5 and the conversation context: follow-ups, numbered choices, serialization."""

from __future__ import annotations

from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.parser import Parser


def _after(parser: Parser, *turns: str) -> ConversationContext:
    ctx = ConversationContext()
    for turn in turns:
        ctx = parser.parse_turn(turn, ctx)[1]
    return ctx


def test_restart_it_inherits_the_service_and_host(parser: Parser) -> None:
    parsed = parser.parse("restart it", _after(parser, "is nginx ok on web-02?"))
    assert (parsed.action, parsed.targets, parsed.service) == ("service.restart", ("web-02",), "nginx")


def test_et_sur_web_02_repeats_the_last_action_elsewhere(parser: Parser) -> None:
    parsed = parser.parse("et sur web-02 ?", _after(parser, "redémarre nginx sur web-01"))
    assert (parsed.action, parsed.targets, parsed.lang) == ("service.restart", ("web-02",), "fr")


def test_now_the_logs_keeps_targets_and_service(parser: Parser) -> None:
    parsed = parser.parse("now the logs", _after(parser, "status of nginx on web-01"))
    assert (parsed.action, parsed.targets, parsed.service) == ("service.logs", ("web-01",), "nginx")


def test_a_number_answers_the_last_clarification(parser: Parser) -> None:
    ctx = _after(parser, "restart nginx")
    assert ctx.pending and ctx.options == ("web-01", "web-02")
    parsed = parser.parse("2", ctx)
    assert (parsed.action, parsed.targets, parsed.risk) == ("service.restart", ("web-02",), "medium")


def test_a_number_out_of_range_is_asked_again(parser: Parser) -> None:
    parsed = parser.parse("7", _after(parser, "restart nginx"))
    assert parsed.action is None and "1" in (parsed.clarification or "")


def test_a_number_without_options_is_a_plain_choice(parser: Parser) -> None:
    parsed = parser.parse("1")
    assert (parsed.action, dict(parsed.parameters)) == ("chat.choose", {"option": 1})


def test_options_offered_by_the_chat_engine_come_back_as_chat_choose(parser: Parser) -> None:
    ctx = ConversationContext().offering(["restart nginx", "show logs"])
    assert parser.parse("option 2", ctx).parameters["option"] == 2


def test_naming_a_host_answers_the_which_host_question(parser: Parser) -> None:
    parsed = parser.parse("web-01", _after(parser, "stop nginx"))
    assert (parsed.action, parsed.targets, parsed.risk) == ("service.stop", ("web-01",), "high")


def test_the_context_round_trips_through_a_dict(parser: Parser) -> None:
    ctx = _after(parser, "restart nginx")
    assert ConversationContext.from_dict(ctx.to_dict()) == ctx


def test_a_context_from_garbage_is_safe(parser: Parser) -> None:
    ctx = ConversationContext.from_dict({"lang": 3, "targets": None, "option_kind": "bogus"})
    assert parser.parse("restart it", ctx).action is None
