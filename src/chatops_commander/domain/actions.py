"""Action definitions: what the catalog knows about each action (ACTIONS.md, "Catalog").

An `ActionSpec` is declarative data. The `skills` layer builds one per action, with its
parameter model, command builders and output parser; the `nlu` layer reads its vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission


class Intent(StrEnum):
    MONITORING = "monitoring"
    QUERY = "query"
    ACTION = "action"
    CONFIGURATION = "configuration"
    CONVERSATION = "conversation"
    UNKNOWN = "unknown"


class TargetScope(StrEnum):
    """How an action relates to hosts (drives target resolution, ACTIONS.md rules 3-4)."""

    NONE = "none"  # no host access (alerts.list, history.list, chat.*)
    FLEET_DEFAULT = "fleet_default"  # nothing named → every host (fleet.health, read-only server.*)
    REQUIRED = "required"  # nothing named → clarification


@dataclass(frozen=True)
class Vocabulary:
    """Words an action contributes to the parser, per language ("en", "fr").

    `verbs` and `nouns` are plain words or short phrases (accents allowed, matched folded);
    `patterns` are regular expressions matched against the folded, lower-cased text.
    """

    verbs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    nouns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # "int" | "str" | "duration" | "path" | "service" | "version" | "environment" | "url" | "command"
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class ActionSpec:
    id: str
    intent: Intent
    risk: Risk
    permission: Permission
    summary: Mapping[str, str]  # {"en": ..., "fr": ...}
    scope: TargetScope = TargetScope.REQUIRED
    params: tuple[ParamSpec, ...] = ()
    needs_service: bool = False
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    approval_for_operators: bool = False
    # Filled by the skills layer; opaque to the domain.
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def is_read_only(self) -> bool:
        return self.risk is Risk.LOW and self.permission in (Permission.READ, Permission.NONE)


ActionLookup = Callable[[str], ActionSpec | None]
