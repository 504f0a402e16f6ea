"""The action catalog at run time: built-in skills plus packs (a folder, Python entry points).

A pack is a Python module exposing `SKILLS` (an iterable of `Skill`) or a `skills()` function
returning one. A pack that fails to import, exposes something else, or reuses an id is reported
(where, why) and skipped whole: never half-loaded.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from chatops_commander.skills import containers, maintenance, services, shell, system
from chatops_commander.skills.base import Skill
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

ENTRY_POINT_GROUP = "chatops.packs"
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_-]*)+$")
FAMILIES = (services, system, containers, maintenance, shell)


@dataclass(frozen=True)
class PackProblem:
    source: str  # file path or "entry point NAME"
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def builtin_skills() -> tuple[Skill, ...]:
    impl: dict[str, dict[str, Any]] = {}
    for family in FAMILIES:
        impl.update(family.skills())
    unknown = set(impl) - {s.id for s in BUILTIN_SPECS}
    if unknown:
        raise RuntimeError(f"implementations without a spec: {sorted(unknown)}")
    return tuple(Skill(spec=spec, **impl.get(spec.id, {})) for spec in BUILTIN_SPECS)


class Registry:
    def __init__(self, skills: Iterable[Skill] = ()) -> None:
        self._skills: dict[str, Skill] = {}
        self.problems: list[PackProblem] = []
        self.packs: list[str] = []
        for s in skills:
            if s.id in self._skills:
                raise ValueError(f"duplicate action id {s.id!r}")
            self._skills[s.id] = s

    def get(self, action_id: str) -> Skill | None:
        return self._skills.get(action_id)

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._skills

    def __iter__(self) -> Iterator[Skill]:
        return iter(sorted(self._skills.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._skills)

    def add_pack(self, source: str, loaded: Any) -> bool:
        """Check a whole pack, then add all of it or nothing. Returns whether it was added."""
        try:
            items = list(loaded() if callable(loaded) else loaded)
        except Exception as exc:  # a pack's own code failing is the pack's problem, reported
            self.problems.append(PackProblem(source, f"its skill list raised {type(exc).__name__}: {exc}"))
            return False
        reason = self._check(items)
        if reason:
            self.problems.append(PackProblem(source, reason))
            return False
        for s in items:
            self._skills[s.id] = s
        self.packs.append(source)
        return True

    def _check(self, items: list[Any]) -> str | None:
        if not items:
            return "the pack defines no skills"
        seen: set[str] = set()
        for s in items:
            if not isinstance(s, Skill):
                return f"expected Skill objects, got {type(s).__name__}"
            if not ID_RE.match(s.id):
                return f"invalid action id {s.id!r} (expected e.g. 'family.verb')"
            if s.id in self._skills or s.id in seen:
                return f"duplicate action id {s.id!r}"
            seen.add(s.id)
        return None


def _skills_of(module: ModuleType) -> Any:
    if hasattr(module, "SKILLS"):
        return module.SKILLS
    if callable(getattr(module, "skills", None)):
        return module.skills
    raise AttributeError("the module defines neither SKILLS nor skills()")


def _load_file(path: Path) -> ModuleType:
    name = f"chatops_pack_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.setdefault(name, module)
    return module


def load_registry(packs_path: str | Path | None = None, *, use_entry_points: bool = True) -> Registry:
    """Built-ins, then every `*.py` pack of `packs_path` (sorted), then entry-point packs."""
    reg = Registry(builtin_skills())
    if packs_path:
        folder = Path(packs_path)
        if not folder.is_dir():
            reg.problems.append(PackProblem(str(folder), "not a directory"))
        else:
            for path in sorted(folder.glob("*.py")):
                if path.name.startswith("_"):
                    continue
                try:
                    loaded = _skills_of(_load_file(path))
                except Exception as exc:  # any import failure is reported, never fatal
                    reg.problems.append(PackProblem(str(path), f"{type(exc).__name__}: {exc}"))
                    continue
                reg.add_pack(str(path), loaded)
    if use_entry_points:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            source = f"entry point {ep.name} ({ep.value})"
            try:
                obj = ep.load()
                loaded = _skills_of(obj) if isinstance(obj, ModuleType) else obj
            except Exception as exc:
                reg.problems.append(PackProblem(source, f"{type(exc).__name__}: {exc}"))
                continue
            reg.add_pack(source, loaded)
    return reg
