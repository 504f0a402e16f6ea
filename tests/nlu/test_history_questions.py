"""Questions about what happened (issue 15, "questions about what happened"): `history.list` with the filters
the history answers from (docs/ACTIONS.md, "Parameters": `action`, `service`, `host`, `user`, `since`, `until`)."""

from __future__ import annotations

from typing import Any

import pytest

from chatops_commander.domain.parsed import ParsedCommand
from tests.nlu.helpers import dev_parser


def _parse(text: str) -> ParsedCommand:
    return dev_parser().parse(text)


@pytest.mark.parametrize(("text", "parameters"), [
    ("who restarted nginx today?", {"action": "service.restart", "service": "nginx", "since": "today"}),
    ("qui a redémarré nginx ?", {"action": "service.restart", "service": "nginx"}),
    ("what changed in the last hour?", {"since": "1h"}),
    ("qu'est-ce qui a été lancé sur web-01 hier ?", {"host": "web-01", "since": "yesterday"}),
    ("who rebooted web-02 this week", {"action": "server.reboot", "host": "web-02", "since": "7d"}),
    ("qui a arrêté haproxy sur lb-01 ?", {"action": "service.stop", "service": "haproxy", "host": "lb-01"}),
    ("what did alice do yesterday", {"user": "alice", "since": "yesterday"}),
    ("les commandes lancées par bob", {"user": "bob"}),
    ("what did I run today", {"user": "me", "since": "today"}),
    ("who deployed to production last week", {"action": "app.deploy", "since": "7d"}),
    ("any deploys this week?", {"action": "app.deploy", "since": "7d"}),
])
def test_a_history_question_carries_its_filters(text: str, parameters: dict[str, Any]) -> None:
    parsed = _parse(text)
    assert parsed.action == "history.list", (text, parsed.action, parsed.clarification)
    assert dict(parsed.parameters) == parameters
    assert parsed.targets == ()  # the history is read, no host is touched
    assert parsed.clarification is None


def test_the_service_asked_about_is_also_the_commands_service() -> None:
    parsed = _parse("who restarted php-fpm on web-02?")
    assert parsed.service == "php-fpm"
    assert parsed.parameters["service"] == "php-fpm" and parsed.parameters["host"] == "web-02"


@pytest.mark.parametrize("text", [
    "who stopped memcached on cache-01 in the last 30 minutes", "qui a coupé nginx sur web-01 ?",
    "who killed the backup on db-master", "quelqu'un a relancé postgres ?", "what got rebooted overnight?",
])
def test_a_question_about_an_action_never_performs_it(text: str) -> None:
    parsed = _parse(text)
    assert parsed.action == "history.list", (text, parsed.action)
    assert not parsed.risk.requires_confirmation


@pytest.mark.parametrize("text", ["restart nginx on web-01", "who is hogging the cpu on web-01"])
def test_orders_and_other_who_questions_are_not_history(text: str) -> None:
    assert _parse(text).action != "history.list"
