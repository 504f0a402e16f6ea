"""The language data: ≥ 3,000 EN/FR requests over every action; train/dev generated from templates;
the test split written by hand, frozen (its checksum is pinned), never tuned on (docs/adr/0010)."""

from __future__ import annotations

import hashlib
from typing import Any

from chatops_commander.nlu.evaluation import evaluate, load_cases
from chatops_commander.skills.builtin_specs import BUILTIN_IDS, BUILTIN_SPECS
from tests.nlu.helpers import CASES_PATH, HERE, dev_inventory

DATA = HERE / "data"
TEST_SHA256 = "65be0ede527a67ec4a05630a6da4c965ff74b4409da57625c070c69831195bba"
PROBE_SHA256 = "2c427ebd991626fe695582c9403c937b15b80151de5667125a5e5ed7a89dc3b2"
PROBE3_SHA256 = "42b3b344c3a4e50ae49482093be46fada5043b773d47eb56c32d93dc72f85e59"


def _cases(name: str) -> list[dict[str, Any]]:
    return load_cases((DATA / name).read_text(encoding="utf-8"))


def test_there_are_at_least_3000_requests_across_the_sources() -> None:
    total = sum(len(_cases(n)) for n in ("train.jsonl", "dev.jsonl", "test.jsonl"))
    total += len(load_cases(CASES_PATH.read_text(encoding="utf-8")))
    assert total >= 3000


def test_the_training_split_covers_every_action_in_both_languages() -> None:
    train = _cases("train.jsonl")
    for lang in ("en", "fr"):
        actions = {c["expect"]["action"] for c in train if c["lang"] == lang}
        assert actions >= BUILTIN_IDS - {"chat.choose"}, lang
    assert any(c["expect"]["action"] is None for c in train)  # out-of-scope requests too


def test_the_test_split_is_frozen() -> None:
    digest = hashlib.sha256((DATA / "test.jsonl").read_bytes()).hexdigest()
    assert digest == TEST_SHA256, "the test split is frozen: write new cases elsewhere"


def test_the_model_never_trains_on_a_test_sentence() -> None:
    """Some short test sentences are also in tests/nlu/cases.jsonl (written earlier, by others): the
    training drops them (`--holdout`); the benchmark reports the accuracy without them too."""
    train = {" ".join(c["text"].lower().split()) for c in _cases("train.jsonl")}
    assert not [c["text"] for c in _cases("test.jsonl") if " ".join(c["text"].lower().split()) in train]


def test_the_frozen_test_split_stays_above_its_measured_floor() -> None:
    """A floor under the figure measured when the split was frozen (bench/RESULTS.md), not the 0.97 target."""
    report = evaluate(_cases("test.jsonl"), dev_inventory(), BUILTIN_SPECS)
    assert report.accuracy >= 0.95, report.to_text()


def test_the_probe_set_is_frozen_and_covers_every_action_in_both_languages() -> None:
    """tests/nlu/data/probe.jsonl: written by hand before the second round's results (commit 8dd972b), never tuned
    on; the training templates that were copies of its sentences were removed (nlu/training/families.py)."""
    assert hashlib.sha256((DATA / "probe.jsonl").read_bytes()).hexdigest() == PROBE_SHA256
    probe = _cases("probe.jsonl")
    assert len(probe) >= 200
    for lang in ("en", "fr"):
        assert {c["expect"]["action"] for c in probe if c["lang"] == lang} >= BUILTIN_IDS - {"chat.choose"}, lang


def test_the_probe_set_stays_above_its_measured_floor() -> None:
    """A floor under the figure measured at the end of the round (bench/RESULTS.md), not a target."""
    report = evaluate(_cases("probe.jsonl"), dev_inventory(), BUILTIN_SPECS)
    assert report.accuracy >= 0.93, report.to_text()


def test_the_third_probe_set_is_frozen_and_covers_every_action_in_both_languages() -> None:
    """tests/nlu/data/probe3.jsonl: written before round 3's results (commit 431386c), never trained on."""
    assert hashlib.sha256((DATA / "probe3.jsonl").read_bytes()).hexdigest() == PROBE3_SHA256
    probe = _cases("probe3.jsonl")
    assert len(probe) >= 250
    for lang in ("en", "fr"):
        assert {c["expect"].get("action") for c in probe if c["lang"] == lang} >= BUILTIN_IDS, lang
    train = {" ".join(c["text"].lower().split()) for c in _cases("train.jsonl")}
    assert not [c["text"] for c in probe if " ".join(c["text"].lower().split()) in train]


def test_the_third_probe_set_stays_above_its_measured_floor() -> None:
    """0.804 before round 3, 0.973 after (docs/adr/0010): a floor, not a target."""
    report = evaluate(_cases("probe3.jsonl"), dev_inventory(), BUILTIN_SPECS)
    assert report.accuracy >= 0.95, report.to_text()
