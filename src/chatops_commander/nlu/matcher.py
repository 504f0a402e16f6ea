"""Action scoring from the catalog's own vocabulary: each spec teaches the parser its words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from chatops_commander.domain.actions import ActionSpec, Intent
from chatops_commander.nlu.lexicon import COMMON_WORDS, EN_MARKERS, FR_MARKERS, STOP_WORDS
from chatops_commander.nlu.text import fold

PATTERN_WEIGHT, VERB_WEIGHT, NOUN_WEIGHT, FUZZY_FACTOR = 3.0, 2.0, 1.0, 0.8
_LANGS = ("en", "fr")


def _closeness(candidate: str, word: str) -> tuple[bool, int]:
    """Same letters (a transposition) first, then the same length."""
    return sorted(candidate) != sorted(word), abs(len(candidate) - len(word))


@dataclass
class ActionScore:
    spec: ActionSpec
    params: tuple[str, ...] = ()
    pattern: float = 0.0
    verb: float = 0.0
    noun: float = 0.0
    bonus: float = 0.0
    hits: dict[str, int] = field(default_factory=lambda: {"en": 0, "fr": 0})

    @property
    def words(self) -> float:
        return self.pattern + self.verb + self.noun

    @property
    def total(self) -> float:
        return self.words + self.bonus if self.words > 0 else 0.0


@dataclass(frozen=True)
class _Entry:
    index: int
    kind: str  # "verb" | "noun"
    lang: str
    weight: float


class ActionMatcher:
    """Built once per catalog. `score` returns one `ActionScore` per spec (catalog order)."""

    def __init__(self, catalog: Sequence[ActionSpec], extra_words: Iterable[str] = ()) -> None:
        """`extra_words`: more words typos are corrected to (the words of out-of-scope requests)."""
        self.catalog = tuple(catalog)
        self.param_names = [spec.param_names for spec in self.catalog]
        self.phrases: dict[str, list[_Entry]] = {}
        self.patterns: list[tuple[int, str, re.Pattern[str]]] = []
        for index, spec in enumerate(self.catalog):
            vocab = spec.vocabulary
            for kind, table, base in (("verb", vocab.verbs, VERB_WEIGHT), ("noun", vocab.nouns, NOUN_WEIGHT)):
                for lang, items in table.items():
                    for item in items:
                        phrase = " ".join(fold(item).split())
                        if phrase:
                            weight = base + 0.3 * (len(phrase.split()) - 1)
                            self.phrases.setdefault(phrase, []).append(_Entry(index, kind, lang, weight))
            for lang, items in vocab.patterns.items():
                for item in items:
                    self.patterns.append((index, lang, re.compile(item)))
        alternation = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        self._phrase_re = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])") if alternation else None
        self.single_words = sorted(p for p in self.phrases if " " not in p and len(p) >= 6)
        self.known_words = frozenset(w for p in self.phrases for w in re.findall(r"[a-z0-9]+", p))
        acting = {i for i, spec in enumerate(self.catalog) if spec.intent in (Intent.ACTION, Intent.CONFIGURATION)}
        self._acting = frozenset(acting)
        reading = {i for i, spec in enumerate(self.catalog) if i not in acting}
        self.action_words = frozenset(
            w for p, entries in self.phrases.items() for w in re.findall(r"[a-z0-9]+", p)
            if any(e.index in acting and e.kind == "verb" for e in entries)
            and not any(e.index in reading for e in self.phrases.get(w, ()))
            and w not in STOP_WORDS
        )

        self._extra_words = frozenset(extra_words)
        self._spelling = sorted(w for w in self.known_words | self._extra_words if len(w) >= 4 and w.isalpha())
        read_words = frozenset(
            w for p, entries in self.phrases.items() for w in re.findall(r"[a-z]+", p)
            if any(e.index in reading for e in entries)
        )
        self._acting_words = frozenset(  # words only actions that change something use ("disk" reads too)
            w for p, entries in self.phrases.items() for w in re.findall(r"[a-z]+", p)
            if any(e.index in acting for e in entries) and w not in read_words
        )

    def correct(self, folded: str, keep: frozenset[str] = frozenset()) -> str:
        """Words one or two typos away from exactly one catalog word become that word ("stauts" → "status",
        "diks" → "disk", "contaners" → "containers"). Same first letter; an action word (restart, stop…) is
        only reached from five letters on, one typo away."""
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if (len(word) < 4 or word in self.known_words or word in keep or word in STOP_WORDS
                    or word in FR_MARKERS or word in EN_MARKERS or word in self._extra_words or word in COMMON_WORDS
                    or self._inflected(word)):  # "problems", "restarted", "rebooting": no typos
                return word
            limit = 1 if len(word) < 7 else 2
            close = process.extract(word, self._spelling, scorer=OSA.distance, score_cutoff=limit, limit=4)
            if not close:
                return word
            best = min(c[1] for c in close)
            picks = sorted({c[0] for c in close if c[1] == best and c[0][0] == word[0]},
                           key=lambda c: (sorted(c) != sorted(word), abs(len(c) - len(word))))
            if not picks or (len(picks) > 1 and _closeness(picks[0], word) == _closeness(picks[1], word)):
                return word
            pick: str = picks[0]
            if pick in self._acting_words and (len(word) < 5 or best > 1):
                return word
            return pick

        return re.sub(r"[a-z]+", fix, folded)

    def _inflected(self, word: str) -> bool:
        """A catalog word with an ending (plural, past, gerund; French é/és/ée)."""
        return any(word.endswith(end) and word[: -len(end)] in self.known_words
                   for end in ("s", "es", "d", "ed", "ing", "e", "es", "ee", "ees", "r", "er", "z", "ez"))

    def is_action_word(self, word: str) -> bool:
        return word in self.action_words

    def score(
        self, folded: str, whole: str | None = None, skip_fuzzy: frozenset[str] = frozenset(),
        reads: str | None = None,
    ) -> list[ActionScore]:
        """`folded` has names hidden; `whole` (names kept) is what anchored `^…` patterns see; `reads` (action
        words read about still there) is what the read-only actions' patterns see ("who restarted nginx")."""
        scores = [ActionScore(spec, names) for spec, names in zip(self.catalog, self.param_names, strict=True)]
        whole = folded if whole is None else whole
        covered: set[str] = set()
        if self._phrase_re is not None:
            for m in self._phrase_re.finditer(folded):
                covered.update(m.group(0).split())
                for entry in self.phrases[m.group(0)]:
                    self._credit(scores[entry.index], entry, 1.0)
        for index, lang, pattern in self.patterns:
            text = folded if reads is None or index in self._acting else reads
            if pattern.search(whole if pattern.pattern.startswith("^") else text):
                s = scores[index]
                s.pattern = PATTERN_WEIGHT
                s.hits[lang] += 1
        for word in re.findall(r"[a-z]{6,}", folded):
            if (word in covered or word in STOP_WORDS or word in skip_fuzzy or word in FR_MARKERS or word in EN_MARKERS
                    or word in COMMON_WORDS):
                continue
            limit = 1 if len(word) < 8 else 2
            best = process.extractOne(word, self.single_words, scorer=OSA.distance, score_cutoff=limit)
            if best is not None and best[0][0] == word[0]:
                for entry in self.phrases[best[0]]:
                    self._credit(scores[entry.index], entry, FUZZY_FACTOR)
        return scores

    @staticmethod
    def _credit(score: ActionScore, entry: _Entry, factor: float) -> None:
        weight = entry.weight * factor
        if entry.kind == "verb":
            score.verb = max(score.verb, weight)
        else:
            score.noun = max(score.noun, weight)
        score.hits[entry.lang] += 1
