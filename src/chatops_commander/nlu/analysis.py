"""One turn's analysis: cleaned text, names, parameters, action scores, language, follow-up signal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.domain.actions import ActionSpec, Intent
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import Entities, EntityMatcher
from chatops_commander.nlu.language import detect_language
from chatops_commander.nlu.lexicon import (
    EN_MARKERS,
    FR_MARKERS,
    GROUP_PREPOSITIONS,
    SERVER_NOUNS,
    STOP_WORDS,
    STRONG_FOLLOW_UP,
)
from chatops_commander.nlu.matcher import ActionMatcher, ActionScore
from chatops_commander.nlu.params import Extracted, extract_container, extract_folded, extract_raw, extract_server_name
from chatops_commander.nlu.safety import Reading, read
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
    reading: Reading = field(default_factory=Reading)
    blocked: frozenset[str] = frozenset()  # actions negated or only read about: never the answer
    scoring: str = ""  # the folded text the action words were read from (names, negated words blanked)

    @property
    def model_text(self) -> str:
        """What the learned model reads: the scoring text, plus one marker word per kind of name or value
        found (the names themselves stay hidden: it learns phrasing, not inventories)."""
        e = self.entities
        marks = [m for m, present in (
            ("zhost", bool(e.hosts or e.groups or e.all_hosts)), ("zunknownhost", bool(e.unknown_hosts)),
            ("zservice", bool(e.services)), ("zenv", bool(e.environments)),
        ) if present]
        marks += [f"z{k}" for k in ("url", "version", "pid", "command", "path", "container", "lines", "since",
                                    "option") if k in self.values]
        return self.scoring + " " + " ".join(marks)

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


def analyze(
    text: str, ctx: ConversationContext, matcher: ActionMatcher, names: EntityMatcher, *,
    command: str | None = None,
) -> Analysis:
    """`command`: a raw command already taken out of the text (backticks), kept byte for byte."""
    cleaned = clean(text)
    raw = extract_raw(cleaned, command_given=command is not None)
    if command is not None:
        raw.values["command"] = command
        raw.values.pop("quoted", None)
    folded = fold(cleaned)
    _keep_host_names(raw, folded, names, matcher)
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
    scoring = _LAUNCH_A_THING.sub(lambda m: " " * len(m.group(1)) + m.group(0)[len(m.group(1)):], scoring)
    reading = read(scoring)
    reads = scoring
    if reading.spans:
        scoring = reading.blank(scoring, matcher.is_action_word)
        reads = reading.blank_negated(reads, matcher.is_action_word)
    service_words = frozenset(w for s in ents.services for w in fold(s).split("-"))
    keep = service_words | names.name_words
    scoring = matcher.correct(scoring, keep)
    reads = matcher.correct(reads, keep)
    scores = matcher.score(scoring, whole=blanked, skip_fuzzy=service_words, reads=reads)
    blocked = _blocked(reading, blanked, scores, matcher) if reading.spans else frozenset()
    _imperative_clause(scoring, scores, matcher)
    _order_then_reason(scoring, scores, matcher)
    carried = carried_service_fits(ctx.service, ents, names)
    inside_docker = bool(_INSIDE_DOCKER.search(blanked))
    for score in scores:
        _bonus(score, ents, values, ctx, carried)
        if inside_docker:  # "what's running in docker", "ce qui tourne dans docker": its containers
            if score.spec.id == "container.list":
                score.bonus += 1.5
            elif score.spec.id.startswith("service.") and score.spec.is_read_only:
                score.bonus -= 1.0
        if command is not None and score.spec.id == "shell.run":
            score.bonus += 3.0
            score.noun = max(score.noun, 0.5)
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
    return Analysis(text, cleaned, folded, lang, ents, values, ranked, follow_up, reading, blocked, scoring)


_NEUTRAL = frozenset(
    "it them that this there same again too also now then and what about how idem pareil aussi maintenant encore et"
    " puis le la les ca y dessus meme lui please pls stp svp thanks merci ok okay so alors donc just juste only"
    " seulement check show see look voir montre affiche regarde give donne tell dis me moi us nous one un une"
    " here ici both les deux instead plutot as well for pour".split()
)


def stray_words(a: Analysis, matcher: ActionMatcher) -> int:
    """Words the parser does not know (names, action words and function words aside): a request it did not
    understand has some, and must not turn into the previous action."""
    words = re.findall(r"[a-z][a-z']+", a.scoring)
    return sum(
        1 for w in words
        if w not in matcher.known_words and w not in STOP_WORDS and w not in _NEUTRAL and w not in FR_MARKERS
        and w not in EN_MARKERS and w not in SERVER_NOUNS and w not in GROUP_PREPOSITIONS and len(w) > 2
    )


# "lance un backup / le déploiement / la commande / un diagnostic": launching a thing, not starting a service
_LAUNCH_A_THING = re.compile(r"\b(lance[rz]?|launch)\s+(?:un|une|le|la|les|des|l\s*'|a|an|the)\b\s*"
                             r"(?!service|serveur|daemon|demon|conteneur|container)(?=[a-z])")
_CLAUSE = re.compile(r"(?:[,;.!?:]|\s-\s|\b(?:so|then|and|please|pls|just|alors|donc|et|puis|stp|svp)\b)\s*"
                     r"((?:[a-z'-]+\s*){1,3})")


_READ_VERB = re.compile(r"(check|show|give|list|tail|get|see|montre|affiche|donne|regarde|verifie|liste|voir)\b")


def _imperative_clause(scoring: str, scores: list[ActionScore], matcher: ActionMatcher) -> None:
    """"nginx is down, start it": a later clause that opens on an action verb is the request; the
    description before it ("is down") is the reason."""
    found = [m.group(1) for m in _CLAUSE.finditer(scoring) if m.start() > 0]
    heads = " , ".join(found)
    if not heads.strip():
        return
    reads = " , ".join(h for h in found if _READ_VERB.match(h))
    read_scores = matcher.score(reads) if reads else None
    for i, (head, score) in enumerate(zip(matcher.score(heads), scores, strict=True)):
        acts = (head.verb > 0 or head.pattern > 0) and score.spec.intent is Intent.ACTION
        reads_it = read_scores is not None and read_scores[i].words > 0 and score.spec.intent is Intent.MONITORING
        if acts or reads_it:
            score.bonus += 2.5


# An order first, then its reason: "redémarre php-fpm sur web-02, il est bloqué", "reboot db-replica, it's wedged",
# "could you restart php-fpm, the site is down". Politeness and apologies before the verb are skipped.
_POLITE_OPENING = re.compile(
    r"\A\W*(?:(?:please|pls|plz|can\s+you|could\s+you|would\s+you|can\s+u|pourrais-tu|tu\s+pourrais|tu\s+peux|peux-tu"
    r"|peux\s+tu|vous\s+pouvez|pouvez-vous|stp|svp|merci\s+de|ok|bon|allez|vite|quick|urgent|asap|hey|yo|hi|salut"
    r"|bonjour|sorry[^,]*?(?:but|,)|desole[^,]*?(?:mais|,)|i\s+need\s+you\s+to|il\s+faut|faut)\W+)*((?:[a-z'][a-z'-]*\s*){1,3})"
)
_REASON = frozenset({"incident.diagnose"})


def _order_then_reason(scoring: str, scores: list[ActionScore], matcher: ActionMatcher) -> None:
    """The message opens on an action verb and a later clause describes trouble: the trouble is why the
    action is asked for, not a request to diagnose."""
    opening = _POLITE_OPENING.match(scoring)
    if opening is None or not re.search(r"[,;.!:]|(?:^|\s)-\s|\b(?:but|mais|because|car|parce|since|puisque)\b",
                                        scoring[opening.end(1):]):
        return
    if not any(s.spec.id in _REASON and s.total > 0 for s in scores):
        return
    for head, score in zip(matcher.score(opening.group(1)), scores, strict=True):
        if (head.verb > 0 or head.pattern > 0) and score.spec.intent is Intent.ACTION:
            score.bonus += 2.5


def _blocked(reading: Reading, blanked: str, kept: list[ActionScore], matcher: ActionMatcher) -> frozenset[str]:
    """Actions whose words appear only where they are negated or read about."""
    aside = matcher.score(reading.part(blanked, reading.spans))
    return frozenset(
        s.spec.id for s, k in zip(aside, kept, strict=True)
        if s.spec.intent in (Intent.ACTION, Intent.CONFIGURATION) and (s.verb > 0 or s.pattern > 0)
        and k.verb == 0 and k.pattern == 0
    )


_HTTP_WORDS = re.compile(
    r"\b(site|website|url|http|https|page|endpoint|curl|ping|reachable|responding|respond|repond\w*|accessible"
    r"|joignable|online|en ligne|homepage|web site|latency|latence|status code|code http|ssl|certificate)\b"
)
_HOST_LEAD = re.compile(r"\b(on|sur|of|de|du|for|pour|to|vers|at|from|host|hote|server|serveur|machine|node|box)\s+$")


_SERVICE_READS = frozenset({"service.status"})
_SERVER_READS = frozenset(
    "disk disque disks space memory memoire ram swap load charge cpu uptime processes processus process logs log"
    " journaux journal df status etat statut".split()
)


def _keep_host_names(raw: Extracted, folded: str, names: EntityMatcher, matcher: ActionMatcher) -> None:
    """A bare domain that names an inventory host, or that is the object of a server request
    (`restart nginx on edge1.par.example.org`, `reboot api.example.org`), is a host name, not a URL to check."""
    url = raw.values.get("url")
    if not isinstance(url, str) or "://" in url or "/" in url:
        return
    key = fold(url)
    start = folded.find(key)
    known = names.full_names.get(key) is not None
    lead = start > 0 and bool(_HOST_LEAD.search(folded[:start]))
    words = re.findall(r"[a-z]+", folded.replace(key, " "))
    serverish = any(matcher.is_action_word(w) or w in _SERVER_READS for w in words)
    if known or ((lead or serverish) and not _HTTP_WORDS.search(folded)):
        del raw.values["url"]
        raw.blank.remove(key)


_INSIDE_DOCKER = re.compile(r"\b(in|inside|within|dans|sous)\s+(the\s+|le\s+)?docker\b(?!\s+(service|daemon|engine))")


def carried_service_fits(service: str | None, ents: Entities, names: EntityMatcher) -> bool:
    """A service from earlier in the conversation is assumed only on servers that run it (when the inventory
    says what they run): after "restart postgresql on db-master", "reboot web-01" is about web-01, not about a
    postgresql it does not have; "and on db-replica" still is."""
    if not service or ents.services or not ents.hosts:
        return True
    by_name = {s.name: s for s in names.inventory.servers}
    for host in ents.hosts:
        server = by_name.get(host)
        if server is not None and server.services and service not in server.services:
            return False
    return True


def _bonus(score: ActionScore, ents: Entities, values: dict[str, Any], ctx: ConversationContext,
           carried_fits: bool = True) -> None:
    spec: ActionSpec = score.spec
    param_names = score.params
    if spec.needs_service and "container" in param_names:
        score.bonus += 0.8 if "container" in values else -1.5
    elif spec.needs_service:
        if ents.services:
            score.bonus += 0.8
        elif ctx.service and not values.get("url") and carried_fits:
            score.bonus += 0.4
        else:
            score.bonus -= 2.0 if values.get("url") else 1.0  # "is https://… alive?": the site, not a service
    elif "service" in param_names and ents.services:
        score.bonus += 0.3
    if spec.id == "fleet.health" and ents.hosts:
        score.bonus -= 1.5  # "what's down on web-01", "is everything ok on web-02?": about that server
    elif spec.id == "server.status" and ents.services and "service.status" in _SERVICE_READS:
        score.bonus -= 1.5  # "check nginx on web-01", "how is nginx doing": about the service, not the host
    for name in param_names:
        if name in values:
            score.bonus += _STRONG_PARAMS.get(name, 0.3)
    if spec.intent is Intent.CONVERSATION and score.pattern == 0:
        score.bonus -= 0.5
    if score.words == 0 and values.get("url") and "url" in param_names:
        score.noun = 0.01
    if values.get("url") and "url" not in param_names and score.pattern > 0 and score.verb == 0 and score.noun == 0:
        score.bonus -= 3.0  # "check https://…": the pattern read a bare verb, the URL says what to check
