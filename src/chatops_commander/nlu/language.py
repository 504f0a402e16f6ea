"""English or French? Function words, accents, and which language's action words matched."""

from __future__ import annotations

from chatops_commander.nlu.lexicon import EN_MARKERS, FR_MARKERS
from chatops_commander.nlu.text import has_accents, words


def detect_language(cleaned: str, folded: str, vocab_hits: dict[str, int], previous: str | None) -> str:
    """The language of the sentence's own words first (function words, accents): French sysadmins often say an
    English action word inside a French sentence ("deploy la v2.5.0 sur production"), the reverse is rare; the
    action words matched only break a tie, then the conversation's language (or the user's)."""
    tokens = words(folded.replace("'", " "))
    fr = sum(1 for t in tokens if t in FR_MARKERS) + (2 if has_accents(cleaned) else 0)
    en = sum(1 for t in tokens if t in EN_MARKERS)
    if fr != en:
        return "fr" if fr > en else "en"
    fr_hits, en_hits = vocab_hits.get("fr", 0), vocab_hits.get("en", 0)
    if fr_hits != en_hits:
        return "fr" if fr_hits > en_hits else "en"
    return previous or "en"
