"""The catalog as the parser and the chat engine see it: specs, with `shell.run` carrying its classifier."""

from __future__ import annotations

import dataclasses

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.risk import Risk
from chatops_commander.skills.registry import Registry
from chatops_commander.skills.shell_risk import classify


def classify_risk(command: str) -> Risk:
    return classify(command).risk


def catalog_specs(registry: Registry) -> tuple[ActionSpec, ...]:
    """Every spec of the registry, in order; `shell.run` gets `extra["risk_classifier"]`."""
    specs = []
    for skill in registry:
        spec = skill.spec
        if spec.id == "shell.run":
            spec = dataclasses.replace(spec, extra={**spec.extra, "risk_classifier": classify_risk})
        specs.append(spec)
    return tuple(specs)
