"""Target resolution (docs/ACTIONS.md rules 1-5) and risk (base risk, fan-out modifier, shell commands)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from chatops_commander.domain.actions import ActionSpec, TargetScope
from chatops_commander.domain.risk import Risk, effective_risk
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import Entities, EntityMatcher
from chatops_commander.nlu.messages import join_names, say, summary

_DESTRUCTIVE = re.compile(
    r"\brm\s+-[a-z]*[rf]|\bmkfs\b|\bdd\s+.*\bof=|\bshutdown\b|\bpoweroff\b|\bhalt\b|\binit\s+0\b|\bdrop\s+"
    r"(table|database|schema)\b|\btruncate\b|:\(\)\s*\{|>\s*/dev/sd|\bchmod\s+-r\s+777\s+/|\bwipefs\b",
    re.IGNORECASE,
)
MAX_LISTED = 6


@dataclass(frozen=True)
class Targets:
    hosts: tuple[str, ...] = ()
    question: str | None = None
    options: tuple[str, ...] = ()
    option_kind: str | None = None


def _ask_hosts(service: str, hosts: tuple[str, ...], lang: str) -> Targets:
    listed = sorted(hosts)
    return Targets(
        question=say("which_host_for_service", lang, service=service, candidates=join_names(listed, lang)),
        options=tuple(listed), option_kind="target",
    )


def resolve_targets(
    spec: ActionSpec, service: str | None, explicit_service: bool, ents: Entities, ctx: ConversationContext,
    follow_up: bool, names: EntityMatcher, lang: str,
) -> Targets:
    """Rules 1-6 of docs/ACTIONS.md; hosts set aside ("except web-03") are taken out of whatever was chosen,
    and when nothing is left the answer is a question, never the hosts set aside."""
    t = _resolve(spec, service, explicit_service, ents, ctx, follow_up, names, lang)
    if not ents.excluded or not t.hosts:
        return t
    kept = tuple(h for h in t.hosts if h not in ents.excluded)
    if kept:
        return Targets(hosts=kept)
    candidates = tuple(h for h in names.inventory.names if h not in ents.excluded)[:MAX_LISTED]
    return Targets(
        question=say("which_host", lang, action=summary(dict(spec.summary), spec.id, lang),
                     candidates=join_names(candidates, lang)),
        options=candidates, option_kind="target",
    )


def _resolve(
    spec: ActionSpec, service: str | None, explicit_service: bool, ents: Entities, ctx: ConversationContext,
    follow_up: bool, names: EntityMatcher, lang: str,
) -> Targets:
    inventory = names.inventory
    if spec.scope is TargetScope.NONE:
        return Targets()
    if ents.unknown_hosts and not ents.hosts:
        unknown = ents.unknown_hosts[0]
        close = [c[0] for c in process.extract(unknown, inventory.names, scorer=fuzz.ratio, limit=3)]
        return Targets(
            question=say("unknown_host", lang, name=unknown, candidates=join_names(close, lang, alternative=True)),
            options=tuple(close), option_kind="target",
        )
    missing_env = [e for e in ents.environments if e not in names.groups]
    if missing_env and not ents.hosts:
        return Targets(
            question=say("unknown_environment", lang, name=missing_env[0],
                         candidates=join_names(sorted(g for g in names.groups if names.is_environment(g)) or
                                               list(inventory.names[:MAX_LISTED]), lang, alternative=True)),
            options=(), option_kind=None,
        )
    if ents.named_targets:
        if ents.all_hosts:
            return Targets(hosts=inventory.names)
        return Targets(hosts=_named_hosts(ents, names))
    inherit = bool(ctx.targets) and (follow_up or spec.id != "fleet.health")
    if service and explicit_service:
        running = names.hosts_running(service)
        if inherit and all(t in running for t in ctx.targets):
            return Targets(hosts=ctx.targets)
        return _by_service(spec, service, running, lang, names, ents.excluded)
    if inherit:
        return Targets(hosts=ctx.targets)
    if spec.scope is TargetScope.FLEET_DEFAULT:
        return Targets(hosts=inventory.names)
    if service:
        return _by_service(spec, service, names.hosts_running(service), lang, names, ents.excluded)
    candidates = inventory.names[:MAX_LISTED]
    return Targets(
        question=say("which_host", lang, action=summary(dict(spec.summary), spec.id, lang),
                     candidates=join_names(candidates, lang)),
        options=tuple(candidates), option_kind="target",
    )


def _named_hosts(ents: Entities, names: EntityMatcher) -> tuple[str, ...]:
    """Named hosts, plus named groups; an environment narrows the other groups (`web servers in production`)."""
    envs = [g for g in ents.groups if names.is_environment(g)]
    others = [g for g in ents.groups if not names.is_environment(g)]
    env_hosts = {h for g in envs for h in names.group_hosts(g)}
    chosen = list(ents.hosts)
    for group in others:
        chosen.extend(h for h in names.group_hosts(group) if not envs or h in env_hosts)
    if envs and not others:
        chosen.extend(h for g in envs for h in names.group_hosts(g))
    return tuple(dict.fromkeys(chosen))


def _by_service(spec: ActionSpec, service: str, running: tuple[str, ...], lang: str, names: EntityMatcher,
                excluded: tuple[str, ...] = ()) -> Targets:
    running = tuple(h for h in running if h not in excluded)
    if len(running) == 1:
        return Targets(hosts=running)
    if len(running) > 1:
        if spec.risk is Risk.LOW:
            return Targets(hosts=running)
        return _ask_hosts(service, running, lang)
    if spec.scope is TargetScope.FLEET_DEFAULT:
        return Targets(hosts=names.inventory.names)
    return Targets(question=say("service_nowhere", lang, service=service),
                   options=names.inventory.names[:MAX_LISTED], option_kind="target")


def base_risk(spec: ActionSpec, command: str | None) -> Risk:
    """The spec's risk; for raw commands, the catalog's classifier when it exposes one (never lower)."""
    classifier = spec.extra.get("risk_classifier") if spec.extra else None
    if command is not None and callable(classifier):
        classify: Callable[[str], Risk] = classifier
        try:
            return Risk(classify(command))
        except (ValueError, TypeError):
            return Risk.CRITICAL
    if command is not None and spec.id == "shell.run" and _DESTRUCTIVE.search(command):
        return Risk.CRITICAL
    return spec.risk


def final_risk(spec: ActionSpec, command: str | None, host_count: int) -> Risk:
    return effective_risk(base_risk(spec, command), host_count)
