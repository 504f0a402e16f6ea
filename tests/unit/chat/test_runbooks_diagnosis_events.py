"""Runbook validation, diagnosis aggregation, wording and the events' JSON form."""

from __future__ import annotations

import json

import pytest

from chatops_commander.domain.chat.diagnosis import HostCheck, HttpCheck, Option, ServiceCheck, diagnose
from chatops_commander.domain.chat.events import (
    EVENT_TYPES,
    ApprovalRequired,
    ConfirmationRequired,
    ErrorEvent,
    MessageEvent,
    Progress,
    ResultEvent,
)
from chatops_commander.domain.chat.runbooks import RunOn, StepKind, check_version, parse_runbook
from chatops_commander.domain.chat.wording import confirmation_card, describe, refused
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.risk import Risk

RUNBOOK = {
    "application": "shop",
    "environments": {"production": ["web-01", "web-02"]},
    "steps": [
        {"name": {"en": "Pre-checks", "fr": "Pré-vérifications"}, "kind": "precheck", "run_on": "first",
         "commands": [["test", "-d", "/srv"]]},
        {"name": "Pull", "kind": "pull", "commands": [["echo", "pull", "{version}"]]},
        {"name": {"en": "Rolling update", "fr": "Mise à jour progressive"}, "kind": "rolling",
         "commands": [["sh", "deploy.sh", "{version}", "{host}"]], "health_check": [["true"]]},
        {"name": "Smoke", "kind": "smoke", "script": "exit 0"},
    ],
}


def test_runbook_parses_steps_kinds_and_placeholders() -> None:
    rb = parse_runbook(RUNBOOK)
    assert [s.kind for s in rb.steps] == [StepKind.PRECHECK, StepKind.PULL, StepKind.ROLLING, StepKind.SMOKE]
    assert [s.run_on for s in rb.steps] == [RunOn.FIRST, RunOn.ALL, RunOn.ROLLING, RunOn.ALL]
    assert rb.steps[2].argv("v2.5.0", "web-01") == (("sh", "deploy.sh", "v2.5.0", "web-01"),)
    assert rb.steps[3].argv("v2", "web-01") == (("sh", "-c", "exit 0", "runbook", "v2", "web-01"),)
    assert rb.steps[0].name("fr") == "Pré-vérifications"
    assert rb.hosts_for("production", ["x"]) == ("web-01", "web-02") and rb.hosts_for("staging", ["x"]) == ("x",)


@pytest.mark.parametrize("broken", [
    {"application": "shop", "steps": []},
    {"application": "shop", "steps": [{"name": "x", "kind": "nope", "commands": [["true"]]}]},
    {"application": "shop", "steps": [{"name": "x", "kind": "smoke", "commands": "rm -rf /"}]},
    {"application": "shop", "steps": [{"name": "x", "kind": "smoke", "commands": [["a"]], "script": "b"}]},
    {"application": "bad name!", "steps": [{"name": "x", "kind": "smoke", "script": "true"}]},
    [1, 2],
])
def test_broken_runbooks_are_refused_with_the_field(broken: object) -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_runbook(broken)
    assert exc.value.problems


@pytest.mark.parametrize("version", ["v2.5.0", "2.5.0", "1.0.0-rc.1"])
def test_versions_are_validated(version: str) -> None:
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["", "v1; rm -rf /", "$(id)", "-x", "a" * 70])
def test_bad_versions_are_refused(version: str) -> None:
    with pytest.raises(ValidationFailed):
        check_version(version)


def web(host: str, active: bool, *, errors: tuple[str, ...] = (), http_ok: bool = True) -> HostCheck:
    return HostCheck(host, True, services=(ServiceCheck("nginx", active, "RUNNING" if active else "STOPPED"),),
                     error_lines=errors, http=HttpCheck(f"http://{host}", 200 if http_ok else None, http_ok, 3),
                     disk_percent=40, memory_percent=30)


def test_a_stopped_service_is_the_probable_cause_with_numbered_options() -> None:
    d = diagnose([web("web-02", True), web("web-01", False, errors=("Segmentation fault",), http_ok=False)])
    assert (d.culprit_host, d.culprit_service) == ("web-01", "nginx") and not d.healthy
    text = d.render("fr")
    assert "nginx sur web-01 : ❌ ARRÊTÉ" in text and "Cause probable : nginx est arrêté sur web-01" in text
    assert "1. Redémarrer nginx sur web-01" in text and "2. Voir les logs complets de nginx sur web-01" in text
    assert "[Segmentation fault]" in text
    assert d.options[0].action == "service.restart" and d.options[0].targets == ("web-01",)
    assert "1. Restart nginx on web-01" in d.render("en")


def test_unreachable_beats_everything_then_http_disk_memory_errors() -> None:
    down = HostCheck("db-01", False, message="connection refused")
    assert diagnose([web("web-01", False), down]).culprit_host == "db-01"
    assert "HTTP" in diagnose([web("web-01", True, http_ok=False)]).cause_en
    disk = HostCheck("db-01", True, disk_percent=97, disk_mount="/var")
    assert diagnose([disk]).options[0].action == "disk.cleanup"
    mem = HostCheck("db-01", True, memory_percent=95)
    assert diagnose([mem]).options[0].parameters == {"sort": "mem", "limit": 10}
    assert "errors" in diagnose([web("web-01", True, errors=("boom",))]).cause_en
    ok = diagnose([web("web-01", True)])
    assert ok.healthy and "rien trouvé" in ok.cause_fr


def test_confirmation_card_follows_the_seed() -> None:
    card = confirmation_card("service.restart", ["web-01"], "nginx", {}, Risk.MEDIUM, "fr")
    assert card.startswith("⚠️ Action critique\nRedémarrer nginx sur web-01 ?")
    assert "Risque : MOYEN" in card and "[Confirmer] [Annuler]" in card and "🎉" not in card
    assert describe("app.deploy", ["web-01", "web-02"], None, {"version": "v2.5.0"}, "en") == (
        "Deploy v2.5.0 on web-01 and web-02")
    assert refused("A viewer can only read.", "en").startswith("I can't do that for you")


def test_the_fix_of_a_service_another_server_still_serves_carries_that_impact_to_its_card() -> None:
    d = diagnose([web("web-02", True), web("web-03", True), web("web-01", False)])
    restart = d.options[0]
    assert restart.risk_note() == {"en": "web-02, web-03 take over", "fr": "web-02, web-03 prennent le relais"}
    assert Option.from_json(restart.to_json()) == restart  # kept in the conversation's state, for "1"
    assert d.options[1].risk_note() == {} and "risk_note_en" not in d.options[1].to_json()  # logs: nothing to say
    one = diagnose([web("web-02", True), web("web-01", False)])
    assert one.options[0].risk_note() == {"en": "web-02 takes over", "fr": "web-02 prend le relais"}
    assert one.cause_fr == "nginx est arrêté sur web-01 (web-02 prend le relais)."
    card = confirmation_card("service.restart", ["web-01"], "nginx", {}, Risk.LOW, "fr",
                             risk_note=one.options[0].risk_note_fr)
    assert "\nRisque : FAIBLE (web-02 prend le relais)\n" in card, card  # the seed's scenario 2
    assert "\nRisk: LOW (web-02 takes over)\n" in confirmation_card(
        "service.restart", ["web-01"], "nginx", {}, Risk.LOW, "en", risk_note=one.options[0].risk_note_en)


def test_nobody_takes_over_when_the_other_servers_service_is_down_too() -> None:
    d = diagnose([web("web-02", False), web("web-01", False)])
    assert d.options[0].risk_note() == {} and "relais" not in d.cause_fr and "serve" not in d.cause_en
    assert "Risque : MOYEN\n" in confirmation_card("service.restart", ["web-01"], "nginx", {}, Risk.MEDIUM, "fr")


def test_every_event_has_a_type_and_a_json_form() -> None:
    events = [
        MessageEvent("c", message_id="m", content="hi"), ConfirmationRequired("c", confirmation_id="t"),
        ApprovalRequired("c", approval_id="a"), Progress("c", host="web-01", status="ok"),
        ResultEvent("c", action="server.disk", data={"web-01": {"mounts": []}}), ErrorEvent("c", message="no"),
    ]
    assert [e.type for e in events] == list(EVENT_TYPES)
    for e in events:
        data = json.loads(json.dumps(e.to_json()))
        assert data["type"] == e.type and data["conversation_id"] == "c"


def test_a_healthy_diagnosis_claims_http_only_when_an_http_check_answered_in_this_turn() -> None:
    checked = diagnose([web("web-01", True)])
    assert "HTTP answers" in checked.cause_en and "HTTP répond" in checked.cause_fr
    assert "checks run just now" in checked.cause_en
    no_url = HostCheck("web-01", True, services=(ServiceCheck("nginx", True, "RUNNING"),), disk_percent=40)
    unchecked = diagnose([no_url])
    assert unchecked.healthy and "HTTP" not in unchecked.cause_en and "HTTP" not in unchecked.cause_fr
    assert "services run" in unchecked.cause_en and "disks are fine" in unchecked.cause_en
    assert "memory" not in unchecked.cause_en
    assert diagnose([HostCheck("db-01", True)]).cause_en.endswith("the servers answer.")
