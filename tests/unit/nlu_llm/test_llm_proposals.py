"""Pure parts of the LLM strategy: tool schema, argument parsing, validation, conversion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chatops_commander.domain.actions import Intent
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.risk import Risk
from chatops_commander.nlu.llm import (
    MalformedAnswer,
    Proposal,
    Rejection,
    ValidatedProposal,
    build_choose_action_tool,
    catalog_for_model,
    proposal_from_arguments,
    summarize_context,
    to_parsed_command,
    to_proposal,
    validate_proposal,
)
from chatops_commander.skills.builtin_specs import BUILTIN_IDS, BUILTIN_SPECS


def check(inventory: Inventory, action: str, *, text: str = "", is_admin: bool = False,
          **fields: Any) -> ValidatedProposal | Rejection:
    return validate_proposal(Proposal(action=action, **fields), catalog=BUILTIN_SPECS, inventory=inventory,
                             text=text, is_admin=is_admin)


def ok(result: ValidatedProposal | Rejection) -> ValidatedProposal:
    assert isinstance(result, ValidatedProposal), result
    return result


# ---------------------------------------------------------------- tool schema


def test_the_tool_offers_every_catalog_id_plus_none_and_typed_parameters(inventory: Inventory) -> None:
    name, description, schema = build_choose_action_tool(BUILTIN_SPECS, inventory)
    assert name == "choose_action"
    assert "Never invent" in description
    props = schema["properties"]
    assert set(props["action"]["enum"]) == BUILTIN_IDS | {"none"}
    params = props["parameters"]["properties"]
    assert params["lines"]["type"] == "integer"
    assert params["pid"]["type"] == "integer"
    assert params["sort"]["enum"] == ["cpu", "mem"]
    assert params["since"]["pattern"] == r"^\d+[smhd]$"
    assert params["environment"]["enum"] == ["db", "production", "staging", "web"]
    assert "service.logs" in params["lines"]["description"]
    assert props["parameters"]["additionalProperties"] is False
    assert set(props["targets"]["items"]["enum"]) == {"all", "web-01", "web-02", "db-master", "cache-01",
                                                      "web", "db", "production", "staging"}
    assert schema["required"] == ["action", "targets", "parameters"]


def test_without_admin_rights_the_model_is_not_offered_raw_commands_confirmations_or_choices() -> None:
    ids = {s.id for s in catalog_for_model(BUILTIN_SPECS, is_admin=False)}
    assert ids == BUILTIN_IDS - {"shell.run", "chat.confirm", "chat.choose"}
    admin_ids = {s.id for s in catalog_for_model(BUILTIN_SPECS, is_admin=True)}
    assert admin_ids == BUILTIN_IDS - {"chat.confirm", "chat.choose"}


def test_the_command_parameter_disappears_from_the_schema_with_shell_run(inventory: Inventory) -> None:
    _, _, schema = build_choose_action_tool(catalog_for_model(BUILTIN_SPECS, is_admin=False), inventory)
    assert "command" not in schema["properties"]["parameters"]["properties"]


# ---------------------------------------------------------------- tool arguments


def test_arguments_given_as_a_json_string_or_a_mapping_parse_alike() -> None:
    args = {"action": "service.logs", "targets": ["web-01"], "service": "nginx",
            "parameters": {"lines": 20}, "confidence": 0.8}
    as_text = '{"action": "service.logs", "targets": ["web-01"], "service": "nginx", ' \
              '"parameters": {"lines": 20}, "confidence": 0.8}'
    assert proposal_from_arguments(args) == proposal_from_arguments(as_text) == Proposal(
        "service.logs", ("web-01",), "nginx", {"lines": 20}, 0.8)


def test_action_none_means_the_model_declined() -> None:
    assert proposal_from_arguments({"action": "none", "targets": [], "parameters": {}}) is None


@pytest.mark.parametrize("arguments", [
    "{not json", "[1, 2]", None, {"targets": []}, {"action": 3},
    {"action": "server.load", "targets": [1]}, {"action": "server.load", "parameters": [1]},
    {"action": "server.load", "service": ["nginx"]},
])
def test_malformed_arguments_raise(arguments: Any) -> None:
    with pytest.raises(MalformedAnswer):
        proposal_from_arguments(arguments)


@pytest.mark.parametrize(("given", "kept"), [(1.7, 1.0), (-1, 0.0), (0.42, 0.42), (True, 0.7), ("high", 0.7),
                                             (float("nan"), 0.7), (None, 0.7)])
def test_a_reported_confidence_is_clamped_or_replaced_by_the_default(given: Any, kept: float) -> None:
    proposal = proposal_from_arguments({"action": "server.load", "targets": [], "parameters": {},
                                        "confidence": given})
    assert proposal is not None and proposal.confidence == kept


# ---------------------------------------------------------------- validation


def test_an_action_outside_the_catalog_is_rejected(inventory: Inventory) -> None:
    result = check(inventory, "rm.everything")
    assert isinstance(result, Rejection)
    assert "unknown action" in result.reasons[0]


def test_shell_run_is_rejected_for_a_non_admin_even_with_the_typed_command(inventory: Inventory) -> None:
    result = check(inventory, "shell.run", text="run uptime on web-01", targets=("web-01",),
                   parameters={"command": "uptime"})
    assert isinstance(result, Rejection)


def test_a_command_parameter_on_any_other_action_is_rejected_even_for_an_admin(inventory: Inventory) -> None:
    result = check(inventory, "service.restart", text="restart nginx with systemctl restart nginx",
                   is_admin=True, service="nginx", parameters={"command": "systemctl restart nginx"})
    assert isinstance(result, Rejection)


def test_an_admins_raw_command_must_be_the_one_they_typed(inventory: Inventory) -> None:
    typed = ok(check(inventory, "shell.run", text="sur web-01 lance `journalctl   -u nginx -n 5`",
                     is_admin=True, targets=("web-01",), parameters={"command": "journalctl -u nginx -n 5"}))
    assert typed.parameters == {"command": "journalctl -u nginx -n 5"}
    invented = check(inventory, "shell.run", text="nettoie web-01", is_admin=True, targets=("web-01",),
                     parameters={"command": "rm -rf /tmp/*"})
    assert isinstance(invented, Rejection)


@pytest.mark.parametrize(("action", "params"), [
    ("server.logs", {"lines": "fifty"}),
    ("server.logs", {"lines": -3}),
    ("server.logs", {"lines": True}),
    ("server.logs", {"since": "yesterday"}),
    ("server.logs", {"since": "0h"}),
    ("server.logs", {"grep": "x" * 300}),
    ("server.logs", {"grep": "err\x00or"}),
    ("server.disk", {"path": "var"}),
    ("server.disk", {"path": "/var/../etc"}),
    ("server.disk", {"path": "/var $(reboot)"}),
    ("server.processes", {"sort": "disk"}),
    ("http.check", {"url": "ftp://example.com"}),
    ("http.check", {"url": "https://a.example.com; curl x"}),
    ("app.deploy", {"version": "2.5.0; reboot", "environment": "production"}),
    ("app.deploy", {"version": "2.5.0", "environment": "mars"}),
    ("server.memory", {"lines": 10}),
])
def test_a_parameter_failing_its_kind_or_foreign_to_the_action_is_rejected(
    inventory: Inventory, action: str, params: dict[str, Any]
) -> None:
    assert isinstance(check(inventory, action, targets=("web-01",), parameters=params), Rejection)


def test_parameters_are_normalized(inventory: Inventory) -> None:
    logs = ok(check(inventory, "server.logs", targets=("web-01",),
                    parameters={"lines": "200", "since": " 30M ", "grep": "timeout"}))
    assert logs.parameters == {"lines": 200, "since": "30m", "grep": "timeout"}
    deploy = ok(check(inventory, "app.deploy", parameters={"version": "v2.5.0", "environment": "prod"}))
    assert deploy.parameters == {"version": "v2.5.0", "environment": "production"}
    top = ok(check(inventory, "server.processes", parameters={"sort": "MEM", "limit": 5.0}))
    assert top.parameters == {"sort": "mem", "limit": 5}


def test_targets_match_tolerantly_expand_groups_and_unknown_ones_are_dropped(inventory: Inventory) -> None:
    result = ok(check(inventory, "server.status", targets=("WEB 01", "db", "web-99")))
    assert result.targets == ("db-master", "web-01")
    assert result.dropped_targets == ("web-99",)
    everything = ok(check(inventory, "server.status", targets=("all",)))
    assert everything.targets == ("cache-01", "db-master", "web-01", "web-02")


def test_services_become_the_inventory_spelling_and_containers_land_in_both_places(
    inventory: Inventory
) -> None:
    pg = ok(check(inventory, "service.status", targets=("db-master",), service="postgres"))
    assert pg.service == "postgresql" and pg.parameters == {}
    from_param = ok(check(inventory, "service.status", targets=("db-master",),
                          parameters={"service": "PostgreSQL"}))
    assert from_param.service == "postgresql"
    container = ok(check(inventory, "container.restart", targets=("cache-01",), service="redis"))
    assert container.service == "redis" and container.parameters == {"container": "redis"}


def test_a_missing_required_parameter_is_reported_not_invented(inventory: Inventory) -> None:
    result = ok(check(inventory, "process.kill", targets=("web-01",)))
    assert result.missing == ("pid",)
    no_service = ok(check(inventory, "service.restart", targets=("web-01",)))
    assert no_service.missing == ("service",)


# ---------------------------------------------------------------- conversion (docs/ACTIONS.md rules)


def parse(inventory: Inventory, action: str, lang: str = "en", **fields: Any) -> Any:
    return to_parsed_command(ok(check(inventory, action, **fields)), text="t", lang=lang, inventory=inventory)


def test_named_hosts_with_a_medium_action_on_several_hosts_raise_the_risk(inventory: Inventory) -> None:
    one = parse(inventory, "service.restart", targets=("web-01",), service="nginx")
    assert (one.action, one.targets, one.risk, one.intent) == ("service.restart", ("web-01",), Risk.MEDIUM,
                                                               Intent.ACTION)
    two = parse(inventory, "service.restart", targets=("web",), service="nginx")
    assert two.targets == ("web-01", "web-02") and two.risk is Risk.HIGH
    reboot = parse(inventory, "server.reboot", targets=("production",))
    assert reboot.risk is Risk.CRITICAL


def test_a_service_on_one_host_targets_that_host(inventory: Inventory) -> None:
    parsed = parse(inventory, "service.restart", service="postgres")
    assert parsed.targets == ("db-master",) and parsed.risk is Risk.MEDIUM


def test_a_service_on_several_hosts_is_fine_to_read_everywhere_but_asks_before_changing(
    inventory: Inventory
) -> None:
    read = parse(inventory, "service.status", service="nginx")
    assert read.action == "service.status" and read.targets == ("web-01", "web-02")
    change = parse(inventory, "service.restart", "fr", service="nginx")
    assert change.action is None
    assert change.clarification == "nginx tourne sur web-01, web-02 : lequel ?"
    assert change.options == ("web-01", "web-02")


def test_nothing_named_targets_the_fleet_only_for_fleet_default_actions(inventory: Inventory) -> None:
    load = parse(inventory, "server.load")
    assert load.targets == ("cache-01", "db-master", "web-01", "web-02") and load.risk is Risk.LOW
    cleanup = parse(inventory, "disk.cleanup")
    assert cleanup.action is None and cleanup.clarification == "On which server?"


def test_only_unknown_hosts_named_gives_a_clarification_not_a_wider_target(inventory: Inventory) -> None:
    parsed = parse(inventory, "server.load", targets=("web-99",))
    assert parsed.action is None
    assert parsed.targets == ()
    assert parsed.clarification == "I don't know web-99. Which server do you mean?"


def test_hostless_actions_carry_no_targets(inventory: Inventory) -> None:
    parsed = parse(inventory, "alerts.list", targets=("web-01",))
    assert parsed.action == "alerts.list" and parsed.targets == () and parsed.intent is Intent.QUERY


def test_a_missing_required_parameter_becomes_a_question(inventory: Inventory) -> None:
    parsed = parse(inventory, "process.kill", "fr", targets=("web-01",))
    assert parsed.action is None
    assert parsed.clarification == "Il me faut : pid pour process.kill."
    assert parsed.to_json()["requires_confirmation"] is False


# ---------------------------------------------------------------- the parser's Proposal shape


def test_a_validated_proposal_goes_back_to_the_parser_resolved_and_normalized(inventory: Inventory) -> None:
    validated = ok(check(inventory, "container.restart", targets=("CACHE 1",), service="Redis",
                         confidence=0.8))
    assert to_proposal(validated) == Proposal("container.restart", ("cache-01",), "redis",
                                              {"container": "redis"}, 0.8)


def test_the_context_summary_names_what_the_conversation_was_about() -> None:
    @dataclass(frozen=True)
    class Ctx:
        action: str | None = "service.status"
        targets: tuple[str, ...] = ("web-02",)
        service: str | None = "nginx"
        pending: bool = False
        options: tuple[str, ...] = ("web-01", "web-02")

    assert summarize_context(Ctx()) == (
        "last action: service.status; last targets: web-02; last service: nginx; "
        "options offered: 1. web-01; 2. web-02"
    )
    assert summarize_context(None) == ""
    assert summarize_context(Ctx(None, (), None, False, ())) == ""
