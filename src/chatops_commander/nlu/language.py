"""English or French? Function words, accents, and which language's action words matched."""

from __future__ import annotations

from chatops_commander.nlu.lexicon import EN_MARKERS, FR_MARKERS
from chatops_commander.nlu.text import has_accents, words


def detect_language(cleaned: str, folded: str, vocab_hits: dict[str, int], previous: str | None) -> str:
    tokens = words(folded.replace("'", " "))
    fr = sum(1 for t in tokens if t in FR_MARKERS) + 2 * vocab_hits.get("fr", 0)
    en = sum(1 for t in tokens if t in EN_MARKERS) + 2 * vocab_hits.get("en", 0)
    if has_accents(cleaned):
        fr += 2
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return previous or "en"
