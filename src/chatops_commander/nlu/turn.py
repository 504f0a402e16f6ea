"""From the chosen action to the answer: service, targets, parameters, risk, clarification, next context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from chatops_commander.domain.actions import ActionSpec, Intent, TargetScope
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.domain.risk import Risk
from chatops_commander.nlu.analysis import Analysis, carried_service_fits
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import EntityMatcher
from chatops_commander.nlu.history import history_filters
from chatops_commander.nlu.messages import join_names, numbered, say, summary, what
from chatops_commander.nlu.resolve import final_risk, resolve_targets

_VERB = {
    "en": {"service.restart": "restart", "service.start": "start", "service.stop": "stop",
           "service.reload": "reload", "service.status": "check", "service.logs": "read the logs of",
           "container.restart": "restart"},
    "fr": {"service.restart": "redémarrer", "service.start": "démarrer", "service.stop": "arrêter",
           "service.reload": "recharger", "service.status": "vérifier", "service.logs": "lire les journaux de",
           "container.restart": "redémarrer"},
}


@dataclass(frozen=True)
class Frame:
    spec: ActionSpec | None
    service: str | None = None
    explicit_service: bool = False
    forced_targets: tuple[str, ...] | None = None
    values: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.5
    inherited: bool = False
    question: str | None = None
    options: tuple[str, ...] = ()  # with `question`: what a number answers (action ids for two readings)


Result = tuple[ParsedCommand, ConversationContext]


def build(
    frame: Frame | None, a: Analysis, ctx: ConversationContext, by_id: Mapping[str, ActionSpec],
    names: EntityMatcher,
) -> Result:
    if frame is None or frame.spec is None:
        return _unknown(frame, a, ctx, by_id)
    spec = frame.spec
    if spec.intent is Intent.CONVERSATION:
        return _conversation(spec, frame, a, ctx)
    wants_service = spec.needs_service or "service" in spec.param_names
    service = frame.service if wants_service else None
    if service is None and spec.needs_service:
        service = ctx.service
    if service is not None and not frame.explicit_service and service == ctx.service \
            and not carried_service_fits(service, a.entities, names):
        service = None  # the servers named now do not run the service talked about before: ask which one
    if frame.forced_targets is not None:
        hosts: tuple[str, ...] = frame.forced_targets
        question: str | None = None
        options: tuple[str, ...] = ()
        kind: str | None = None
    else:
        t = resolve_targets(spec, service, frame.explicit_service, a.entities, ctx,
                            a.follow_up or frame.inherited, names, a.lang)
        hosts, question, options, kind = t.hosts, t.question, t.options, t.option_kind
    params = _parameters(spec, frame.values, service, hosts, a, names)
    if question is None and spec.needs_service and service is None:
        where = join_names(sorted(hosts), a.lang) or "?"
        question = say("which_service", a.lang, verb=_VERB[a.lang].get(spec.id, spec.id), targets=where)
        services = sorted({s for h in hosts for srv in names.inventory.servers if srv.name == h for s in srv.services})
        options, kind = tuple(services), "service"
    if question is None:
        missing = [p.name for p in spec.params if p.required and p.name != "service" and p.name not in params]
        if missing:
            verb = summary(dict(spec.summary), spec.id, a.lang)
            question = say("missing_param", a.lang, what=join_names([what(m, a.lang) for m in missing], a.lang),
                           verb=verb)
    if question is not None:
        parsed = ParsedCommand(
            text=a_text(a), lang=a.lang, intent=spec.intent, action=None, targets=(), service=service,
            parameters=params, risk=spec.risk, confidence=min(frame.confidence, 0.7), clarification=question,
            options=options,
        )
        new_ctx = replace(ctx, lang=a.lang, action=spec.id, targets=tuple(sorted(hosts)) or ctx.targets,
                          service=service or ctx.service, parameters=params, pending=True, options=options,
                          option_kind=kind, turns=ctx.turns + 1, awaiting_confirmation=False)
        return parsed, new_ctx
    command = params.get("command") if spec.id == "shell.run" else None
    risk = final_risk(spec, str(command) if command is not None else None, len(hosts))
    parsed = ParsedCommand(
        text=a_text(a), lang=a.lang, intent=spec.intent, action=spec.id, targets=tuple(sorted(hosts)),
        service=service, parameters=params, risk=risk, confidence=frame.confidence,
    )
    new_ctx = replace(ctx, lang=a.lang, action=spec.id, targets=tuple(sorted(hosts)) or ctx.targets,
                      service=service or ctx.service, parameters=params, pending=False, options=(),
                      option_kind=None, turns=ctx.turns + 1, awaiting_confirmation=risk.requires_confirmation)
    return parsed, new_ctx


def a_text(a: Analysis) -> str:
    return a.original


def _parameters(
    spec: ActionSpec, values: Mapping[str, Any], service: str | None, hosts: tuple[str, ...], a: Analysis,
    names: EntityMatcher,
) -> dict[str, Any]:
    allowed = set(spec.param_names) - {"service"}
    params = {k: v for k, v in values.items() if k in allowed}
    if "container" in allowed and service:
        params["container"] = service
    if "host" in allowed and "address" in values:
        params["host"] = values["address"]
    if "environment" not in allowed and spec.scope is not TargetScope.NONE and a.entities.environments:
        params["environment"] = a.entities.environments[0]  # named in the text: shown on the card (ACTIONS.md)
    if spec.id == "history.list":
        params.update(history_filters(a.folded, a.entities, values))
    if "environment" in allowed:
        envs = list(a.entities.environments) or [g for g in a.entities.groups if names.is_environment(g)]
        if envs:
            params["environment"] = envs[0]
        elif hosts and "environment" not in params:
            around = [g for g in names.groups if names.is_environment(g)
                      and all(h in names.group_hosts(g) for h in hosts)]
            if len(around) == 1:
                params["environment"] = around[0]
    return params


def _conversation(spec: ActionSpec, frame: Frame, a: Analysis, ctx: ConversationContext) -> Result:
    params = {"option": frame.values["option"]} if spec.id == "chat.choose" and "option" in frame.values else {}
    parsed = ParsedCommand(text=a_text(a), lang=a.lang, intent=spec.intent, action=spec.id, parameters=params,
                           risk=Risk.LOW, confidence=frame.confidence)
    if spec.id in ("chat.cancel", "chat.confirm"):
        return parsed, replace(ctx, lang=a.lang, pending=False, options=(), option_kind=None, turns=ctx.turns + 1,
                               awaiting_confirmation=False)
    if spec.id == "chat.choose":  # the choice usually opens a card: a "yes" next answers it, not the options
        return parsed, replace(ctx, lang=a.lang, turns=ctx.turns + 1, awaiting_confirmation=True)
    return parsed, replace(ctx, lang=a.lang, turns=ctx.turns + 1)


def _unknown(frame: Frame | None, a: Analysis, ctx: ConversationContext, by_id: Mapping[str, ActionSpec]) -> Result:
    kind: str | None
    if frame is not None and frame.question and frame.options:
        question, options, kind = frame.question, frame.options, "action"
    elif frame is not None and frame.question:
        question, options = frame.question, ctx.options
        kind = ctx.option_kind
    else:
        close = [s.spec for s in a.ranked if s.total > 0 and s.spec.intent is not Intent.CONVERSATION][:3]
        options = tuple(s.id for s in close)
        kind = "action" if options else None
        if close:
            labels = [f"{summary(dict(s.summary), s.id, a.lang)} ({s.id})" for s in close]
            question = say("unknown", a.lang, candidates=numbered(labels, a.lang))
        else:
            question = say("unknown_no_idea", a.lang)
    parsed = ParsedCommand(text=a_text(a), lang=a.lang, intent=Intent.UNKNOWN, action=None, risk=Risk.LOW,
                           confidence=a.confidence if a.best is None else 0.3, clarification=question,
                           suggestions=options if kind == "action" else (), options=options)
    return parsed, replace(ctx, lang=a.lang, options=options, option_kind=kind, pending=False,
                           turns=ctx.turns + 1, awaiting_confirmation=False)
