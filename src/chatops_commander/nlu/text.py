"""Text hygiene: length limit, control characters, emoji, accent folding, tokens, numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 2000

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r"[a-z0-9]+")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100, "a hundred": 100,
    "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "vingt": 20, "trente": 30, "cinquante": 50, "cent": 100,
}
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")


_BACKTICKS = re.compile(r"```(?:[a-z]+\n)?(.+?)```|`([^`]+)`", re.DOTALL)


def raw_command(text: str) -> tuple[str | None, str]:
    """The text between backticks, byte for byte, and the request without it (docs/ACTIONS.md, "Raw commands")."""
    m = _BACKTICKS.search(text)
    if m is None:
        return None, text
    command = m.group(1) if m.group(1) is not None else m.group(2)
    if not command.strip():
        return None, text
    return command, text[: m.start()] + " " + text[m.end() :]


def clean(text: str) -> str:
    """Control characters and symbols (emoji, pictographs) become spaces; quotes are unified."""
    out: list[str] = []
    for ch in text.translate(_QUOTES):
        cat = unicodedata.category(ch)
        if cat[0] in ("C", "Z") or cat == "So":
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def fold(text: str) -> str:
    """Lower case without accents (é → e, ç → c), one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


def has_accents(text: str) -> bool:
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFKD", text))


def number_words_to_digits(folded: str) -> str:
    return _NUMBER_WORD_RE.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), folded)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(folded: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded))


def words(folded: str) -> list[str]:
    return _TOKEN.findall(folded)
