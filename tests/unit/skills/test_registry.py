"""The catalog: every contract id is there once; packs load whole or are reported and skipped."""

from __future__ import annotations

from pathlib import Path

from chatops_commander.skills.builtin_specs import BUILTIN_IDS
from chatops_commander.skills.registry import load_registry

GOOD = """
from chatops_commander.domain.actions import ActionSpec, Intent
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission
from chatops_commander.skills.base import Skill

def _spec(i):
    return ActionSpec(id=i, intent=Intent.MONITORING, risk=Risk.LOW, permission=Permission.READ,
                      summary={"en": "x", "fr": "x"})

SKILLS = [Skill(spec=_spec("ID_A"), build=lambda p, pl: CommandPlan((("true",),))),
          Skill(spec=_spec("ID_B"))]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_every_contract_action_is_in_the_builtin_catalog() -> None:
    reg = load_registry(use_entry_points=False)
    assert {s.id for s in reg} == set(BUILTIN_IDS) and len(BUILTIN_IDS) == 34
    assert reg.problems == []


def test_a_good_pack_from_the_folder_is_loaded(tmp_path: Path) -> None:
    write(tmp_path, "acme.py", GOOD.replace("ID_A", "acme.ping").replace("ID_B", "acme.pong"))
    reg = load_registry(tmp_path, use_entry_points=False)
    assert "acme.ping" in reg and "acme.pong" in reg and reg.problems == []


def test_malformed_packs_are_reported_with_file_and_reason_and_never_half_loaded(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.py", "def oops(:\n")
    dup = write(tmp_path, "dup.py", GOOD.replace("ID_A", "dup.fresh").replace("ID_B", "service.restart"))
    twice = write(tmp_path, "twice.py", GOOD.replace("ID_A", "twice.same").replace("ID_B", "twice.same"))
    wrong = write(tmp_path, "wrong.py", "SKILLS = ['not a skill']\n")
    empty = write(tmp_path, "nothing.py", "x = 1\n")
    bad_id = write(tmp_path, "badid.py", GOOD.replace("ID_A", "NoDot").replace("ID_B", "bad.ok"))
    reg = load_registry(tmp_path, use_entry_points=False)
    reasons = {Path(p.source).name: p.reason for p in reg.problems}
    assert "SyntaxError" in reasons[broken.name]
    assert "duplicate action id 'service.restart'" in reasons[dup.name]
    assert "duplicate action id 'twice.same'" in reasons[twice.name]
    assert "expected Skill objects" in reasons[wrong.name]
    assert "neither SKILLS nor skills()" in reasons[empty.name]
    assert "invalid action id 'NoDot'" in reasons[bad_id.name]
    assert "dup.fresh" not in reg and "bad.ok" not in reg
    assert len(reg) == 34


def test_a_missing_packs_folder_is_reported(tmp_path: Path) -> None:
    reg = load_registry(tmp_path / "nope", use_entry_points=False)
    assert reg.problems and reg.problems[0].reason == "not a directory"
