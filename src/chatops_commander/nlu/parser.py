"""The offline parser: text (+ conversation context) → ParsedCommand, deterministic and sync."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from chatops_commander.domain.actions import ActionSpec, Intent, TargetScope
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.domain.risk import Risk
from chatops_commander.nlu import dialogue
from chatops_commander.nlu.analysis import Analysis, analyze, stray_words
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import EntityMatcher
from chatops_commander.nlu.fallback import FallbackStrategy
from chatops_commander.nlu.intent_model import NONE_LABEL, IntentModel, Prediction, default_model
from chatops_commander.nlu.lexicon import SERVER_NOUNS
from chatops_commander.nlu.matcher import ActionMatcher, ActionScore
from chatops_commander.nlu.messages import numbered, reading, say
from chatops_commander.nlu.params import extract_raw
from chatops_commander.nlu.scope import SCOPE_WORDS, describe, out_of_scope
from chatops_commander.nlu.text import MAX_CHARS, clean, fold, raw_command
from chatops_commander.nlu.turn import Frame, Result, build

_REBOOT = re.compile(r"\b(reboot\w*|redemarr\w*|restart\w*|uptime|up)\b")
_PACKAGE_VERB = re.compile(r"\b(upgrade|downgrade|update|reinstall|patch|mettre a jour|mets a jour|maj|installe[rz]?"
                           r"|desinstalle[rz]?|reinstalle[rz]?)\b(?!\s+(on|me|about|sur|moi)\b)")
_EITHER = re.compile(r"\b(or|ou|either|soit|ou bien|or else)\b")
_SEQUENCE = re.compile(r"\b(?:and\s+then|then|after\s+that|afterwards|next|et\s+puis|puis|ensuite|apres\s+ca|et\s+apres"
                       r"|and\s+also|and\s+also|et\s+aussi)\b|;")
_STATE_READS = frozenset({"service.status", "server.status", "fleet.health"})
# A whole-server verb said of a named service ("reboot nginx on web-01", "tu peux rebooter pgbouncer"), with no
# server word: the service is what is meant — the gentler action, never the whole machine.
_WHOLE_SERVER = {"server.reboot": "service.restart"}
_SERVER_WORDS = re.compile(r"\b(servers?|serveurs?|machines?|box(es)?|hosts?|hotes?|vms?|nodes?|noeuds?|srv|os|system"
                           r"|systeme|kernel|noyau|instance|instances)\b")
_DIALOGUE_ONLY = frozenset({"chat.confirm", "chat.cancel", "chat.choose"})  # never guessed by the model
DEFAULT_THRESHOLD = 0.6
RULE_MARGIN = 1.0  # rule scores this far apart: the rules decide alone
# Words that carry no request on their own ("for lb-01", "sur web-02"): the model is not asked about them alone.
_FUNCTION_WORDS = frozenset(
    "a an the for on in at to of from with and or my our this that is are it its please pls "
    "le la les l un une des du de d sur pour dans a au aux avec et ou mon ma mes ce cette est stp svp".split())
MODEL_SURE = 0.55  # the learned model decides alone above this probability (read-only actions)
MODEL_SURE_ACTING = 0.75  # … and above this one for actions that change something
MODEL_ARBITRATES = 0.5  # between close rule candidates, the model's pick needs this probability


class Parser:
    """Built once per (catalog, inventory); `parse` and `parse_turn` are pure and cheap."""

    def __init__(
        self, catalog: Sequence[ActionSpec], inventory: Inventory, *,
        fallback: FallbackStrategy | None = None, threshold: float = DEFAULT_THRESHOLD,
        intent_model: IntentModel | None = None, learned: bool = True,
    ) -> None:
        """`intent_model`: the learned component (default: the packaged one, loaded on first need);
        `learned=False`: rules only."""
        self.catalog = tuple(catalog)
        self.by_id = {spec.id: spec for spec in self.catalog}
        self.inventory = inventory
        self.matcher = ActionMatcher(self.catalog, SCOPE_WORDS)
        self.names = EntityMatcher(inventory, self.matcher.known_words | SERVER_NOUNS, self.matcher.phrases)
        self.fallback = fallback
        self.threshold = threshold
        self._model = intent_model
        self._learned = learned

    @property
    def model(self) -> IntentModel | None:
        if self._model is None and self._learned:
            self._model = default_model()
        return self._model

    def _predict(self, a: Analysis) -> list[Prediction]:
        model = self.model
        if model is None:
            return []
        return [p for p in model.predict(a.model_text) if p.label == NONE_LABEL or p.label in self.by_id]

    def parse(self, text: str, context: ConversationContext | None = None) -> ParsedCommand:
        return self.parse_turn(text, context)[0]

    def parse_turn(
        self, text: str, context: ConversationContext | None = None,
    ) -> tuple[ParsedCommand, ConversationContext]:
        """The parsed command and the conversation context after this turn."""
        ctx = context or ConversationContext()
        text = text if isinstance(text, str) else ""
        if len(text) > MAX_CHARS:
            return self._reject(text, "too_long", ctx)
        if not clean(text):
            return self._reject(text, "no_words" if text.strip() else "empty", ctx)
        command, rest = raw_command(text)
        folded = fold(clean(rest))
        if command is None:
            act = dialogue.classify(folded, card_waiting=ctx.awaiting_confirmation,
                                   subject=bool(ctx.service or ctx.targets))
            if act is not None:
                return self._dialogue(act, text, rest, ctx)
            outside = out_of_scope(folded) or out_of_scope(self.matcher.correct(folded, self.names.name_words))
            if outside is not None and "command" not in extract_raw(clean(rest)).values:
                return self._outside(outside, text, rest, ctx)
        analysis = analyze(rest, ctx, self.matcher, self.names, command=command)
        if command is None and analysis.entities.services and _PACKAGE_VERB.search(analysis.folded):
            return self._outside("packages", text, rest, ctx)  # "downgrade postgres", "upgrade nginx on web-01"
        frame = self._frame(analysis, ctx)
        if frame is not None and frame.spec is not None and frame.spec.id in analysis.blocked:
            frame = self._refused(analysis, ctx)
        parsed, new_ctx = build(frame, analysis, ctx, self.by_id, self.names)
        return replace(parsed, text=text), new_ctx

    # ------------------------------------------------------------------ conversation and scope

    def _dialogue(self, act: str, text: str, rest: str, ctx: ConversationContext) -> Result:
        analysis = analyze(rest, ctx, self.matcher, self.names)
        if act == "confirm" and ctx.offers_details and dialogue.plain_yes(fold(clean(rest))):
            if len(ctx.options) == 1:
                frame = Frame(spec=self.by_id.get("chat.choose"), values={"option": 1}, confidence=0.9)
                parsed, new_ctx = build(frame, analysis, ctx, self.by_id, self.names)
                return replace(parsed, text=text), new_ctx
            question = say("which_option", analysis.lang, candidates=numbered(list(ctx.options), analysis.lang))
            parsed = ParsedCommand(text=text, lang=analysis.lang, intent=Intent.CONVERSATION, action=None,
                                   risk=Risk.LOW, confidence=0.6, clarification=question, options=ctx.options)
            return parsed, replace(ctx, lang=analysis.lang, turns=ctx.turns + 1)
        spec = self.by_id.get(f"chat.{act}")
        if spec is None:
            return build(None, analysis, ctx, self.by_id, self.names)
        parsed, new_ctx = build(Frame(spec=spec, confidence=0.95), analysis, ctx, self.by_id, self.names)
        return replace(parsed, text=text), new_ctx

    def _outside(self, kind: str, text: str, rest: str, ctx: ConversationContext) -> Result:
        analysis = analyze(rest, ctx, self.matcher, self.names)
        lang = analysis.lang
        parsed = ParsedCommand(text=text, lang=lang, intent=Intent.UNKNOWN, action=None, risk=Risk.LOW,
                               confidence=0.9, clarification=say("out_of_scope", lang, what=describe(kind, lang)))
        return parsed, replace(ctx, lang=lang, pending=False, options=(), option_kind=None,
                               awaiting_confirmation=False, turns=ctx.turns + 1)

    def _refused(self, a: Analysis, ctx: ConversationContext) -> Frame | None:
        """The chosen action was negated or only read about: a card waiting is cancelled, else ask."""
        if ctx.awaiting_confirmation and not a.entities.named_targets and a.reading.negated:
            return Frame(spec=self.by_id.get("chat.cancel"), confidence=0.8)
        return None

    async def parse_async(
        self, text: str, context: ConversationContext | None = None,
    ) -> tuple[ParsedCommand, ConversationContext]:
        """`parse_turn`, then the fallback strategy when configured and the confidence is low."""
        parsed, new_ctx = self.parse_turn(text, context)
        if self.fallback is None or parsed.confidence >= self.threshold or len(text or "") > MAX_CHARS:
            return parsed, new_ctx
        ctx = context or ConversationContext()
        proposal = await self.fallback.propose(
            text=text, lang=parsed.lang, catalog=self.catalog, inventory=self.inventory, context=ctx,
            offline=parsed,
        )
        spec = self.by_id.get(proposal.action) if proposal else None
        if proposal is None or spec is None:
            return parsed, new_ctx
        command, rest = raw_command(text)
        analysis = analyze(rest, ctx, self.matcher, self.names, command=command)
        if spec.id in analysis.blocked:  # negated or only read about: no second opinion overrides that
            return parsed, new_ctx
        known = [t for t in proposal.targets if self.inventory.by_name(t) is not None]
        service = proposal.service if proposal.service in self.names.service_keys.values() else None
        values = {k: v for k, v in proposal.parameters.items() if k in spec.param_names}
        frame = Frame(spec=spec, service=service, explicit_service=service is not None,
                      forced_targets=tuple(known) or None, values=values,
                      confidence=max(0.0, min(1.0, proposal.confidence)))
        return build(frame, analysis, ctx, self.by_id, self.names)

    # ------------------------------------------------------------------ choosing the action

    def _frame(self, a: Analysis, ctx: ConversationContext) -> Frame | None:
        best = a.best
        option = a.values.get("option")
        if isinstance(option, int) and ctx.options and ctx.option_kind != "external" and (
            best is None or best.spec.id == "chat.choose"
        ):
            return self._chosen(option, a, ctx)
        if best is not None and ctx.is_empty and len(a.ranked) > 1 and best.total - a.ranked[1].total < RULE_MARGIN:
            best = self._arbitrate(a) or best
        if best is not None and (choice := self._either(a) or self._sequence(a)) is not None:
            return choice
        if (best is not None and a.reading.outcome_question and not a.entities.services and not a.entities.hosts
                and best.spec.id in _STATE_READS and "history.list" in self.by_id):
            best = next(s for s in a.ranked if s.spec.id == "history.list") if any(
                s.spec.id == "history.list" for s in a.ranked) else best
            if best.spec.id != "history.list":  # "le déploiement d'hier a marché ?": what was done, not a state
                return Frame(spec=self.by_id["history.list"], values=dict(a.values), confidence=0.6)
        if best is not None and best.spec.id in _WHOLE_SERVER and a.entities.services \
                and not a.values.get("container") and not _SERVER_WORDS.search(a.folded) \
                and (gentler := self.by_id.get(_WHOLE_SERVER[best.spec.id])) and gentler.id not in a.blocked:
            best = next((s for s in a.ranked if s.spec.id == gentler.id), best)  # "rebooter pgbouncer": the service
            if best.spec.id != gentler.id:
                return Frame(spec=gentler, service=a.entities.services[0], explicit_service=True,
                             values=dict(a.values), confidence=a.confidence)
        if best is not None:
            service = a.entities.services[0] if a.entities.services else None
            if best.spec.id.startswith("container.") and a.values.get("container"):
                service = str(a.values["container"])
            return Frame(spec=best.spec, service=service, explicit_service=service is not None,
                         values=dict(a.values), confidence=a.confidence)
        if a.reading.spans and (a.reading.state_question or a.reading.read_objects):
            asks_state = a.reading.state_question or a.reading.need_question
            read_id = "service.status" if a.entities.services and asks_state else "server.status"
            if a.reading.outcome_question or (a.reading.read_objects and not a.entities.named_targets
                                              and not asks_state and not _REBOOT.search(a.folded)):
                read_id = "history.list"  # "did the deploy go through?", "when was the last backup?"
            elif a.reading.read_objects and not a.reading.need_question and (
                    "since" in a.values or "until" in a.values):
                read_id = "history.list"  # "was nginx restarted on web-02 this morning?": an event in a time window
            spec = self.by_id.get(read_id)
            if spec is not None:
                service = a.entities.services[0] if a.entities.services else None
                return Frame(spec=spec, service=service, explicit_service=service is not None,
                             values=dict(a.values), confidence=0.6)
        if a.reading.negated and ctx.awaiting_confirmation and not a.entities.named_targets:
            return Frame(spec=self.by_id.get("chat.cancel"), confidence=0.8)
        stray = stray_words(a, self.matcher)
        if stray or ctx.action is None:
            learned = self._learned_frame(a)
            if learned is not None:
                return learned if learned.spec is not None or learned.question else None
        inherited = self.by_id.get(ctx.action) if ctx.action else None
        if inherited is not None and (inherited.id in a.blocked or stray > 1):
            inherited = None
        names_something = a.entities.named_targets or bool(a.entities.services) or a.entities.unknown_hosts
        gives_params = inherited is not None and any(k in inherited.param_names for k in a.values)
        if inherited is not None and (names_something or gives_params or a.follow_up):
            service = a.entities.services[0] if a.entities.services else None
            values = {**ctx.parameters, **a.values}
            return Frame(spec=inherited, service=service, explicit_service=service is not None,
                         values=values, confidence=0.8, inherited=True)
        return None

    def _either(self, a: Analysis) -> Frame | None:
        """"logs or reboot web-01?": two actions joined by "or" — ask which one, never pick."""
        if not _EITHER.search(a.scoring):
            return None
        named = [s for s in a.ranked if s.words >= 1.0 and s.spec.intent is not Intent.CONVERSATION
                 and s.spec.id not in a.blocked][:2]
        if len(named) < 2 or named[1].total < 1.0 or all(s.spec.intent is not Intent.ACTION for s in named):
            return None  # two readings that change nothing ("is it up or down?"): the rules' pick is harmless
        service = a.entities.services[0] if a.entities.services else None
        first, second = (reading(s.spec.id, a.lang, service=service, hosts=a.entities.hosts) for s in named)
        return Frame(spec=None, question=say("two_readings", a.lang, first=first, second=second),
                     options=tuple(s.spec.id for s in named))

    def _sequence(self, a: Analysis) -> Frame | None:
        """"check the disk on web-01, then reboot lb-01": two requests in a row, one of them changing something —
        ask which one first, never merge their hosts (or their actions) into one card."""
        cut = _SEQUENCE.search(a.folded)
        if cut is None:
            return None
        picks: list[ActionScore] = []
        named: list[frozenset[str]] = []
        for part in (a.folded[: cut.start()], a.folded[cut.end() :]):
            ents = self.names.match(part)
            named.append(frozenset(ents.hosts) | frozenset(ents.groups) | ({"*"} if ents.all_hosts else set()))
            chars = list(part)
            for start, end in ents.spans:
                chars[start:end] = " " * (end - start)
            scores = [x for x in self.matcher.score("".join(chars)) if x.words >= 1.0
                      and x.spec.intent is not Intent.CONVERSATION and x.spec.id not in a.blocked]
            for x in scores:
                if x.spec.needs_service and not ents.services:
                    x.bonus -= 1.0
            if not scores:
                return None  # "restart nginx, then": one request
            picks.append(max(scores, key=lambda x: (x.words + x.bonus, -x.spec.risk.rank)))
        if all(p.spec.intent is not Intent.ACTION for p in picks):
            return None  # two readings that change nothing: the rules' pick is harmless
        if picks[0].spec.id == picks[1].spec.id and not (named[0] and named[1] and named[0] != named[1]):
            return None  # the same request, said twice
        service = a.entities.services[0] if a.entities.services else None
        first, second = (reading(p.spec.id, a.lang, service=service, hosts=()) for p in picks)
        return Frame(spec=None, question=say("two_requests", a.lang, first=first, second=second),
                     options=tuple(dict.fromkeys(p.spec.id for p in picks)))

    def _arbitrate(self, a: Analysis) -> ActionScore | None:
        """Close rule candidates: the learned model's pick among them, when it has one and it is no riskier."""
        ceiling = a.ranked[0].spec.risk.rank  # never toward a riskier action than the rules' own pick
        candidates = {s.spec.id: s for s in a.ranked if s.total >= 1.0 and s.spec.id not in a.blocked
                      and s.spec.risk.rank <= ceiling}
        for p in self._predict(a)[:3]:
            if p.label in candidates and p.probability >= MODEL_ARBITRATES:
                return candidates[p.label]
        return None

    def _learned_frame(self, a: Analysis) -> Frame | None:
        """No rule fits: the learned model decides when sure; when unsure between two readings, it asks.
        A frame with neither spec nor question means "nothing fits" (the model says out of scope)."""
        model = self.model
        content = " ".join(w for w in a.scoring.split() if w not in _FUNCTION_WORDS)
        if model is None or model.known_words(content) == 0:  # markers and function words alone are no request
            return None
        preds = [p for p in self._predict(a) if p.label not in a.blocked and p.label not in _DIALOGUE_ONLY]
        if not preds:
            return None
        top = preds[0]
        if top.label == NONE_LABEL:
            return Frame(spec=None) if top.probability >= MODEL_SURE else None
        spec = self.by_id[top.label]
        if a.entities.unknown_hosts and spec.scope is TargetScope.NONE:
            return None  # a server name nobody knows: ask about it, never guess an action without hosts
        acting = spec.intent in (Intent.ACTION, Intent.CONFIGURATION)
        if top.probability >= (MODEL_SURE_ACTING if acting else MODEL_SURE):
            service = a.entities.services[0] if a.entities.services else None
            if spec.id.startswith("container.") and a.values.get("container"):
                service = str(a.values["container"])
            return Frame(spec=spec, service=service, explicit_service=service is not None, values=dict(a.values),
                         confidence=round(top.probability, 3))
        readings = [p for p in preds if p.label != NONE_LABEL
                    and self.by_id[p.label].intent is not Intent.CONVERSATION][:2]
        if len(readings) == 2 and readings[0].probability + readings[1].probability >= MODEL_SURE:
            service = a.entities.services[0] if a.entities.services else None
            hosts = a.entities.hosts
            first, second = (reading(p.label, a.lang, service=service, hosts=hosts) for p in readings)
            return Frame(spec=None, question=say("two_readings", a.lang, first=first, second=second),
                         options=tuple(p.label for p in readings))
        return None

    def _chosen(self, option: int, a: Analysis, ctx: ConversationContext) -> Frame | None:
        picked = ctx.option(option)
        if picked is None:
            return Frame(spec=None, question=say("bad_option", a.lang, number=str(option),
                                                 count=str(len(ctx.options))))
        base = self.by_id.get(ctx.action) if ctx.action else None
        if ctx.option_kind == "action":
            spec = self.by_id.get(picked)
            return Frame(spec=spec, values=dict(ctx.parameters), confidence=0.9, inherited=True) if spec else None
        if base is None:
            return None
        if ctx.option_kind == "service":
            return Frame(spec=base, service=picked, explicit_service=True, values=dict(ctx.parameters),
                         confidence=0.95, inherited=True)
        return Frame(spec=base, service=ctx.service, forced_targets=(picked,), values=dict(ctx.parameters),
                     confidence=0.95, inherited=True)

    def _reject(self, text: str, key: str, ctx: ConversationContext) -> tuple[ParsedCommand, ConversationContext]:
        lang = ctx.lang or "en"
        parsed = ParsedCommand(text=text, lang=lang, intent=Intent.UNKNOWN, action=None, risk=Risk.LOW,
                               confidence=0.0, clarification=say(key, lang))
        return parsed, replace(ctx, turns=ctx.turns + 1)


def parse_text(
    text: str, inventory: Inventory, catalog: Sequence[ActionSpec], context: ConversationContext | None = None,
) -> ParsedCommand:
    """One-shot parse (the CLI's `chatops parse`). Build a `Parser` once to parse many texts."""
    return Parser(catalog, inventory).parse(text, context)


__all__ = ["Parser", "parse_text"]
