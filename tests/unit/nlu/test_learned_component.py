"""The learned intent component: features, the packaged model, its export, lazy loading, and how the
parser combines it with the rules (rules first; the model when they are unsure; safety always)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chatops_commander.nlu.intent_model import NONE_LABEL, default_model, features, load, packaged_path, save
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_IDS, BUILTIN_SPECS
from tests.unit.nlu.conftest import INVENTORY


def test_features_are_words_pairs_and_letter_groups() -> None:
    feats = features("disk usage")
    assert {"w:disk", "w:usage", "b:disk_usage", "c: di", "c:sage "} <= set(feats)


def test_a_typo_keeps_most_letter_groups_of_the_word() -> None:
    right, typo = set(features("status")), set(features("stauts"))
    assert len(right & typo) >= 3


def test_the_packaged_model_knows_every_catalog_action_and_out_of_scope() -> None:
    model = default_model()
    assert model is not None
    assert set(model.labels) >= (BUILTIN_IDS - {"chat.choose"}) | {NONE_LABEL}


def test_predictions_are_probabilities_most_likely_first() -> None:
    model = default_model()
    assert model is not None
    preds = model.predict("how much free memory is left")
    assert preds[0].label == "server.memory"
    assert abs(sum(p.probability for p in preds) - 1.0) < 1e-6
    assert preds == sorted(preds, key=lambda p: -p.probability)


def test_an_exported_model_predicts_the_same_after_loading(tmp_path: Path) -> None:
    model = default_model()
    assert model is not None
    path = tmp_path / "intent.json.gz"
    save(model, path)
    again = load(path)
    for text in ("clean up the disk", "quels conteneurs tournent", "tell me a joke"):
        assert [p.label for p in again.predict(text)][:3] == [p.label for p in model.predict(text)][:3]
    assert path.read_bytes() == packaged_path().read_bytes()  # the export is byte-for-byte reproducible


def test_words_the_model_never_learned_give_it_no_say() -> None:
    model = default_model()
    assert model is not None
    assert model.known_words("guitare croissant trampoline") == 0
    assert model.known_words("disk usage") == 2


def test_the_cli_does_not_load_the_model_at_start_up() -> None:
    code = ("import chatops_commander.entrypoints.cli.main\n"
            "from chatops_commander.nlu.intent_model import default_model\n"
            "print(default_model.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_typos_in_action_words_are_understood() -> None:
    parser = Parser(BUILTIN_SPECS, INVENTORY)
    assert parser.parse("diks usage on web-01").action == "server.disk"
    assert parser.parse("list contaners on web-03").action == "container.list"
    assert parser.parse("stauts of db-master").action == "server.status"
    assert parser.parse("top prcess on web-02").action == "server.processes"


def test_rules_alone_still_parse_what_they_know() -> None:
    parser = Parser(BUILTIN_SPECS, INVENTORY, learned=False)
    parsed = parser.parse("restart nginx on web-01")
    assert (parsed.action, parsed.targets) == ("service.restart", ("web-01",))
