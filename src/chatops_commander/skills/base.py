"""What an action implementation is: a spec plus its parameter model, argv builder, parser, explanation.

A `Skill` is pure: building a plan and parsing output never touch the network or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.platform import Platform as Platform  # re-exported: defined where it imports fast
from chatops_commander.skills.platform import ServiceManager as ServiceManager


class Params(BaseModel):
    """Base of every parameter model: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    pass


Builder = Callable[[Any, Platform], CommandPlan]
Parser = Callable[[Any, str, int | None], dict[str, Any]]
Explainer = Callable[[Any, Mapping[str, Any], str], str]


class UnsupportedPlatform(Exception):
    """The host has no tool this action needs (e.g. no service manager)."""

    def __init__(self, en: str, fr: str) -> None:
        super().__init__(en)
        self.en, self.fr = en, fr


def _no_parse(params: Any, stdout: str, exit_code: int | None) -> dict[str, Any]:
    return {}


def _no_explain(params: Any, data: Mapping[str, Any], lang: str) -> str:
    return "✅ C'est fait." if lang == "fr" else "✅ Done."


@dataclass(frozen=True)
class Skill:
    spec: ActionSpec
    params_model: type[Params] = NoParams
    build: Builder | None = None  # None: the action does not run commands on hosts
    parse: Parser = _no_parse
    explain: Explainer = _no_explain
    needs_platform: bool = False  # build() depends on the detected service manager
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def touches_hosts(self) -> bool:
        return self.build is not None

    def validate(self, raw: Mapping[str, Any]) -> Params:
        """Validate raw parameters; raise `ValidationFailed` listing every problem."""
        try:
            return self.params_model.model_validate(dict(raw))
        except ValidationError as exc:
            problems = [(".".join(str(p) for p in e["loc"]) or "params", e["msg"]) for e in exc.errors()]
            raise ValidationFailed(problems) from None

    def plan(self, params: Params, platform: Platform | None = None) -> CommandPlan:
        if self.build is None:
            raise UnsupportedPlatform(
                f"{self.id} does not run on hosts", f"{self.id} ne s'exécute pas sur les serveurs"
            )
        return self.build(params, platform or Platform())
