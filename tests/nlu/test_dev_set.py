"""The dev set: the evaluation of docs/ACTIONS.md over tests/nlu/cases.jsonl must reach 95%."""

from __future__ import annotations

import json
from typing import Any

from chatops_commander.nlu.evaluation import evaluate, load_cases
from chatops_commander.skills.builtin_specs import BUILTIN_IDS, BUILTIN_SPECS
from tests.nlu.helpers import CASES_PATH, dev_inventory, dev_parser


def _cases() -> list[dict[str, Any]]:
    return load_cases(CASES_PATH.read_text(encoding="utf-8"))


def test_the_dev_set_reaches_95_percent_accuracy() -> None:
    report = evaluate(_cases(), dev_inventory(), BUILTIN_SPECS)
    assert report.accuracy >= 0.95, report.to_text()


def test_the_dev_set_has_300_cases_covering_every_catalog_action() -> None:
    cases = _cases()
    assert len(cases) >= 300
    assert {c["expect"].get("action") for c in cases} >= BUILTIN_IDS


def test_at_least_40_percent_of_the_dev_set_is_french() -> None:
    parser = dev_parser()
    texts = [c["text"] for c in _cases() if c["text"].strip() and len(c["text"]) < 2000]
    french = sum(1 for t in texts if parser.parse(t).lang == "fr")
    assert french / len(texts) >= 0.40


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in _cases()]
    assert len(ids) == len(set(ids))


def test_report_json_has_the_documented_keys() -> None:
    report = evaluate(_cases()[:20], dev_inventory(), BUILTIN_SPECS)
    data = report.to_json()
    assert set(data) >= {"total", "passed", "accuracy", "failures", "latency_ms"}
    assert set(data) >= {"per_action", "per_language", "confusions"}
    assert set(data["latency_ms"]) == {"p50", "p99"}
    json.dumps(data)


def test_the_answer_does_not_depend_on_the_catalog_order() -> None:
    cases = _cases()
    reversed_catalog = tuple(reversed(BUILTIN_SPECS))
    assert evaluate(cases, dev_inventory(), reversed_catalog).accuracy >= 0.95
