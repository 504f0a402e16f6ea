"""The evaluation machinery: case format, matching rules, report text and JSON."""

from __future__ import annotations

import pytest

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.nlu.evaluation import evaluate, load_cases
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

INV = Inventory.from_servers([
    Server("web-01", "web-01", "10.0.0.1", tags=("web",), services=("nginx",)),
    Server("web-02", "web-02", "10.0.0.2", tags=("web",), services=("nginx",)),
    Server("db-master", "db-master", "10.0.0.3", tags=("db",), services=("postgresql",)),
])


def test_targets_compare_as_a_set_and_parameters_key_by_key() -> None:
    cases = [{"id": "a", "text": "show the last 50 lines of the postgres log on db-master",
              "expect": {"action": "service.logs", "targets": ["db-master"], "service": "postgresql",
                         "parameters": {"lines": 50}}},
             {"id": "b", "text": "restart nginx on web-02 and web-01",
              "expect": {"targets": ["web-02", "web-01"], "risk": "high"}}]
    report = evaluate(cases, INV, BUILTIN_SPECS)
    assert (report.passed, report.total) == (2, 2)


def test_context_turns_are_parsed_first() -> None:
    cases = [{"id": "c018", "context": ["is nginx ok on web-02?"], "text": "restart it",
              "expect": {"action": "service.restart", "targets": ["web-02"], "service": "nginx"}}]
    assert evaluate(cases, INV, BUILTIN_SPECS).passed == 1


def test_clarify_means_no_action_and_a_question() -> None:
    cases = [{"id": "c019", "text": "restart nginx", "expect": {"clarify": True}}]
    assert evaluate(cases, INV, BUILTIN_SPECS).passed == 1


def test_report_text_lists_failures_then_the_accuracy_line() -> None:
    cases = [{"id": "x1", "text": "restart nginx on web-01", "expect": {"action": "service.stop"}},
             {"id": "x2", "text": "hi", "expect": {"action": "chat.greeting"}}]
    report = evaluate(cases, INV, BUILTIN_SPECS)
    lines = report.to_text().splitlines()
    assert lines[0].startswith("FAIL x1") and "service.stop" in lines[0] and "service.restart" in lines[0]
    assert lines[-1] == "accuracy: 0.500 (1/2)"  # the summary line closes the report
    assert report.to_json()["failures"][0]["id"] == "x1"


def test_load_cases_names_the_bad_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        load_cases('{"id": "a", "text": "hi", "expect": {}}\n{not json}\n')
