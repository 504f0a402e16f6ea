"""Conversation words (cancel, confirm, thanks, help, greeting) and requests outside the catalog."""

from __future__ import annotations

import pytest

from chatops_commander.domain.actions import Intent
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.dialogue import classify
from chatops_commander.nlu.parser import Parser
from chatops_commander.nlu.scope import out_of_scope
from chatops_commander.nlu.text import fold


@pytest.mark.parametrize(("text", "kind"), [
    ("whoa, hold on, stop", "cancel"), ("meh drop it", "cancel"), ("nah", "cancel"), ("laisse tomber", "cancel"),
    ("foget it", "cancel"), ("ok go", "confirm"), ("vas-y", "confirm"), ("go ahed", "confirm"),
    ("thanks mate, all good", "thanks"), ("meric beaucoup", "thanks"), ("help svp", "help"),
    ("what are you able to do?", "help"), ("hey there", "greeting"), ("no, do it", "cancel"),
])
def test_conversation_words_are_classified(text: str, kind: str) -> None:
    assert classify(fold(text)) == kind


def test_with_a_card_waiting_ship_it_confirms_it() -> None:
    assert classify("fine, ship it", card_waiting=True) == "confirm"
    assert classify("fine, ship it", card_waiting=False) is None


def test_stop_it_about_a_service_discussed_is_a_request_not_a_cancellation() -> None:
    assert classify("stop it", subject=True) is None
    assert classify("stop it", subject=True, card_waiting=True) == "cancel"


@pytest.mark.parametrize("text", ["restart nginx", "option 2", "relance-le", "tout est ok ?", "stop nginx on web-01"])
def test_requests_are_not_conversation_words(text: str) -> None:
    assert classify(fold(text)) is None


@pytest.mark.parametrize("text", [
    "wipe the prod db", "drop table users", "install docker on web-01", "format the disk on web-02",
    "upgrade the kernel", "create a user bob", "write an email to the team", "book a meeting with the team",
    "power off db-replica", "éteins la machine web-03",
    "what's the weather", "supprime la base de prod", "installe htop", "mets à jour le noyau",
    "restaure la base d'hier", "réserve une réunion",
])
def test_out_of_scope_requests_are_recognized(text: str) -> None:
    assert out_of_scope(fold(text)) is not None


@pytest.mark.parametrize("text", [
    "restart nginx on web-01", "back up the database on db-master", "roll back to the previous version",
    "restaure la version précédente", "logs of the last upgrade", "clean up the disk on web-01",
    "kill process 4242", "terminate process 31337",
])
def test_catalog_requests_are_not_out_of_scope(text: str) -> None:
    assert out_of_scope(fold(text)) is None


def test_a_quoted_raw_command_is_not_out_of_scope(parser: Parser) -> None:
    parsed = parser.parse("run 'apt install htop' on web-01")
    assert (parsed.action, parsed.parameters.get("command")) == ("shell.run", "apt install htop")


def test_out_of_scope_answers_honestly_in_the_users_language(parser: Parser) -> None:
    en = parser.parse("wipe the prod db")
    fr = parser.parse("supprime la base de prod")
    assert en.intent is Intent.UNKNOWN and en.action is None and "can't" in (en.clarification or "")
    assert fr.intent is Intent.UNKNOWN and fr.action is None and "ne peux pas" in (fr.clarification or "")


def test_yes_to_the_offered_details_picks_the_only_option(parser: Parser) -> None:
    ctx = ConversationContext(lang="fr", action="fleet.health", turns=1).offering(["Démarrer nginx sur web-01"])
    parsed = parser.parse("oui", ctx)
    assert (parsed.action, parsed.parameters.get("option")) == ("chat.choose", 1)


def test_yes_to_several_offered_details_asks_which(parser: Parser) -> None:
    ctx = ConversationContext(lang="en", action="fleet.health", turns=1).offering(["Start nginx", "Show disk usage"])
    parsed = parser.parse("yes", ctx)
    assert parsed.action is None and "1" in (parsed.clarification or "") and parsed.options == ctx.options


def test_yes_with_a_card_waiting_confirms_the_card(parser: Parser) -> None:
    ctx = parser.parse_turn("restart nginx on web-01", ConversationContext())[1]
    assert ctx.awaiting_confirmation
    assert parser.parse("yes", ctx).action == "chat.confirm"


def test_the_context_keeps_the_card_waiting_across_serialization(parser: Parser) -> None:
    ctx = parser.parse_turn("reboot web-01", ConversationContext())[1]
    assert ConversationContext.from_dict(ctx.to_dict()).awaiting_confirmation


def test_when_unsure_the_parser_names_two_readings(parser: Parser) -> None:
    parsed = parser.parse("web-02 usage")
    assert parsed.action is None and parsed.clarification
    assert len(parsed.options) == 2 and " or " in parsed.clarification and "web-02" in parsed.clarification


def test_two_actions_joined_by_or_are_asked_about_never_picked(parser: Parser) -> None:
    en = parser.parse("logs or reboot web-01?")
    fr = parser.parse("les logs ou un reboot de web-01 ?")
    assert en.action is None and set(en.options) == {"server.logs", "server.reboot"}
    assert "web-01" in (en.clarification or "") and " or " in (en.clarification or "")
    assert fr.action is None and " ou " in (fr.clarification or "")


def test_a_card_can_say_in_plain_words_what_was_understood(parser: Parser) -> None:
    from chatops_commander.nlu import understood

    parsed = parser.parse("ship 3.1.4 to staging")
    en = understood(parsed.action or "", "en", service=parsed.service, hosts=parsed.targets,
                    parameters=parsed.parameters)
    assert en == "deploy on web-03 — environment staging, version 3.1.4"
    fr = understood("service.restart", "fr", service="nginx", hosts=("web-01", "web-02"), parameters={})
    assert fr == "redémarrer nginx sur web-01 et web-02"


def test_no_thanks_thats_all_ends_the_conversation_unless_a_card_waits() -> None:
    assert classify(fold("Non merci, c'est tout")) == "thanks"
    assert classify(fold("no thanks, that's all")) == "thanks"
    assert classify(fold("no thanks, that's all"), card_waiting=True) == "cancel"


def test_an_explicit_confirm_after_offered_options_confirms(parser: Parser) -> None:
    ctx = ConversationContext(lang="fr", action="incident.diagnose", turns=1).offering(["Redémarrer nginx", "Logs"])
    assert parser.parse("Confirmer", ctx).action == "chat.confirm"
    chosen = parser.parse_turn("1", ctx)[1]
    assert parser.parse("oui", chosen).action == "chat.confirm"  # the choice opened a card
