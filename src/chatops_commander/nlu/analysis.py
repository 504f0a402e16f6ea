"""One turn's analysis: cleaned text, names, parameters, action scores, language, follow-up signal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chatops_commander.domain.actions import ActionSpec, Intent
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import Entities, EntityMatcher
from chatops_commander.nlu.language import detect_language
from chatops_commander.nlu.lexicon import STRONG_FOLLOW_UP
from chatops_commander.nlu.matcher import ActionMatcher, ActionScore
from chatops_commander.nlu.params import extract_container, extract_folded, extract_raw, extract_server_name
from chatops_commander.nlu.text import clean, fold

THRESHOLD = 1.0
_STRONG_PARAMS = {
    "url": 1.5, "command": 1.0, "pid": 0.8, "version": 0.8, "container": 0.8, "option": 0.8, "path": 0.8,
}


@dataclass(frozen=True)
class Analysis:
    original: str
    cleaned: str
    folded: str
    lang: str
    entities: Entities
    values: dict[str, Any]
    ranked: tuple[ActionScore, ...]
    follow_up: bool

    @property
    def best(self) -> ActionScore | None:
        return self.ranked[0] if self.ranked and self.ranked[0].total >= THRESHOLD else None

    @property
    def confidence(self) -> float:
        if not self.ranked or self.ranked[0].total <= 0:
            return 0.1
        top = self.ranked[0].total
        second = self.ranked[1].total if len(self.ranked) > 1 else 0.0
        strength = min(1.0, top / 4.0)
        margin = min(1.0, (top - second) / 1.5)
        value = 0.45 + 0.3 * strength + 0.25 * margin
        return round(value if top >= THRESHOLD else min(0.4, value - 0.3), 3)


def analyze(text: str, ctx: ConversationContext, matcher: ActionMatcher, names: EntityMatcher) -> Analysis:
    cleaned = clean(text)
    raw = extract_raw(cleaned)
    folded = fold(cleaned)
    blanked = raw.blank_out(folded)
    extract_server_name(blanked, raw)
    extract_container(blanked, raw, matcher.known_words)
    ents = names.match(blanked)
    chars = list(blanked)
    previous_end = -1
    for start, end in ents.spans:
        if 0 <= previous_end < start and blanked[previous_end:start] in ("-", "_", "."):
            start = previous_end
        chars[start:end] = " " * (end - start)
        previous_end = end
    scoring = "".join(chars)
    extract_folded(scoring, raw, matcher.known_words)
    values = raw.values
    service_words = frozenset(w for s in ents.services for w in fold(s).split("-"))
    scores = matcher.score(scoring, whole=blanked, skip_fuzzy=service_words)
    for score in scores:
        _bonus(score, ents, values, ctx)
    order = sorted(
        range(len(scores)),
        key=lambda i: (-round(scores[i].total, 6), scores[i].bonus < 0, scores[i].spec.risk.rank, i),
    )
    ranked = tuple(scores[i] for i in order)
    hits = {"en": 0, "fr": 0}
    for score in ranked[:2]:
        if score.total > 0:
            hits["en"] += score.hits["en"]
            hits["fr"] += score.hits["fr"]
    lang = detect_language(cleaned, folded, hits, ctx.lang)
    follow_up = not ctx.is_empty and bool(STRONG_FOLLOW_UP.search(scoring))
    return Analysis(text, cleaned, folded, lang, ents, values, ranked, follow_up)


def _bonus(score: ActionScore, ents: Entities, values: dict[str, Any], ctx: ConversationContext) -> None:
    spec: ActionSpec = score.spec
    param_names = score.params
    if spec.needs_service and "container" in param_names:
        score.bonus += 0.8 if "container" in values else -1.5
    elif spec.needs_service:
        if ents.services:
            score.bonus += 0.8
        elif ctx.service:
            score.bonus += 0.4
        else:
            score.bonus -= 1.0
    elif "service" in param_names and ents.services:
        score.bonus += 0.3
    for name in param_names:
        if name in values:
            score.bonus += _STRONG_PARAMS.get(name, 0.3)
    if spec.intent is Intent.CONVERSATION and score.pattern == 0:
        score.bonus -= 0.5
    if score.words == 0 and values.get("url") and "url" in param_names:
        score.noun = 0.01
