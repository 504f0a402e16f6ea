"""Parameter extraction and normalization (docs/ACTIONS.md, "Parameters, normalized")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.nlu.lexicon import ORDINALS, STOP_WORDS
from chatops_commander.nlu.text import fold, number_words_to_digits

_QUOTED = re.compile(r"(?<![\w])'([^']{1,500})'(?![\w])|\"([^\"]{1,500})\"")
_URL = re.compile(r"https?://[^\s'\"<>]+", re.IGNORECASE)
_DOMAIN = re.compile(
    r"(?<![\w.@/-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|fr|dev|app|info|co|eu|be|ch|ca|de|uk|cloud|tech|shop)"
    r"(?:/[^\s'\"]*)?(?![\w.])", re.IGNORECASE,
)
_VERSION = re.compile(r"(?<![\w.])(v?\d+(?:\.\d+){1,2}(?:-[0-9a-z.]+)?|v\d+)(?![\w.])", re.IGNORECASE)
_PATH = re.compile(r"(?<![\w:/.'-])(/[\w.\-/]*)")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_UNQUOTED_COMMAND = re.compile(
    r"\b(?:run|execute|exec|ex[eé]cute[rz]?|lance[rz]?|tape[rz]?|passe[rz]?)\s+(?:the\s+|la\s+)?"
    r"(?:command|commande|cmd)\s*:?\s+(.+?)"
    r"(?:\s+(?:on|sur)\s+[\w.-]+\s*\??)?\s*$", re.IGNORECASE,
)
_DOLLAR_COMMAND = re.compile(r"(?:^|\s)\$\s+(.+?)(?:\s+(?:on|sur)\s+[\w.-]+\s*\??)?\s*$")

_UNIT = (r"(s|sec|secs|seconds?|secondes?|m|mn|mins?|minutes?|h|hrs?|hours?|heures?|d|j|days?|jours?"
         r"|w|weeks?|semaines?)")
_SINCE_N = re.compile(
    r"\b(\d{1,4})\s*(?:(?:last|dernieres?|derniers?|past|passees?|previous)\s+)?" + _UNIT + r"\b"
)
_SINCE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), v) for p, v in (
        (r"\b(half an hour|demi[ -]?heure)\b", "30m"),
        (r"\bquart d\s*'?\s*heure\b", "15m"),
        (r"\b(last|past|previous|this|the)\s+hour\b|\ban hour\b|\bderniere heure\b|\bheure (passee|derniere)\b"
         r"|\bl\s*'?\s*heure\b", "1h"),
        (r"\b(last|past|previous)\s+minute\b|\bderniere minute\b", "1m"),
        (r"\b(this|last|past)\s+week\b|\bcette semaine\b|\b(derniere semaine|semaine derniere)\b", "7d"),
        (r"\b(last night|cette nuit|overnight)\b", "12h"),
        (r"\b(today|aujourd\s*'?\s*hui|aujourdhui|auj|this morning|ce matin|yesterday|hier|last day"
         r"|dernier jour|last 24|since midnight|depuis minuit)\b", "24h"),
    )
)
_UNIT_LETTER = {"s": "s", "m": "m", "h": "h", "d": "d", "j": "d", "w": "w"}

_LINES = (
    re.compile(r"\b(\d{1,6})\s+(?:(?:last|dernieres?|first|premieres?|more|derniers?)\s+)?(?:log\s+)?"
               r"(?:lines?|lignes?|entries|entrees|lns?)\b"),
    re.compile(r"(?:\blast|\bdernieres?|\btail(?:\s+-n)?|\s-n)\s+(\d{1,6})\b(?!\s*(?:\.|" + _UNIT[1:-1]
               + r")\b)"),
)
_GREP_EXPLICIT = re.compile(
    r"\b(?:containing|contains?|matching|match(?:es)?|grep|filter(?:ed)?(?:\s+on|\s+by)?|contenant|contiennent"
    r"|filtre(?:\s+sur)?|mentioning|mentionnant|avec le mot|with the word|with the string|for the word)"
    r"\s+(?:the\s+word\s+|le\s+mot\s+|the\s+string\s+)?([\w./:@-]+)"
)
_GREP_WORDS = (
    (re.compile(r"\b(errors?|erreurs?|err)\b"), "error"),
    (re.compile(r"\b(warnings?|warn|avertissements?)\b"), "warning"),
    (re.compile(r"\bexceptions?\b"), "exception"),
    (re.compile(r"\btimeouts?\b"), "timeout"),
    (re.compile(r"\b(fatal|panic|segfault|oom)\b"), "\\1"),
)
_SORT_MEM = re.compile(r"\b(mem|memory|memoire|ram|rss)\b")
_SORT_CPU = re.compile(r"\b(cpu|processeur)\b")
_LIMIT = (
    re.compile(r"\btop\s*(\d{1,4})\b"),
    re.compile(r"\b(\d{1,4})\s+(?:(?:most|plus|biggest|heaviest|gros|premiers?|first|top)\s+)*"
               r"(?:\w+\s+)?(?:processes|process|processus|procs?)\b"),
    re.compile(r"\b(\d{1,4})\s+(?:premiers|first|plus gros|biggest|heaviest)\b"),
)
_PID = (
    re.compile(r"\b(?:pid|process|processus|proc|process id)\s*(?:id\s*)?(?:n\s*)?#?\s*(\d{1,9})\b"),
    re.compile(r"\b(?:kill|tue[rz]?|tuer|kille?r?)\s+(?:-\d+\s+|-[a-z]+\s+)?(?:le\s+|la\s+|the\s+)?(\d{2,9})\b"),
)
_OPTION = re.compile(
    r"^\s*(?:(?:option|choix|choice|number|numero|num|n|no|opt|#)\s*#?\s*)?(\d{1,2})\s*[.!)]?\s*$"
    r"|\b(?:option|choix|choice|numero)\s*#?\s*(\d{1,2})\b"
)
_ORDINAL_FILLER = frozenset(
    "the la le l one un une option choix choice take prends choose choisis je go with please stp svp celui "
    "celle ci number numero i ll pick let s va pour go with we on prend part pars sur".split()
)
_CONTAINER = (
    re.compile(r"\b([a-z0-9][a-z0-9_.-]{1,62})\s+(?:docker\s+)?(?:container|conteneur)s?\b"),
    re.compile(r"\b(?:container|conteneur)s?\s+(?:docker\s+)?([a-z0-9][a-z0-9_.-]{1,62})\b"),
    re.compile(r"\bdocker\s+(?:restart|start|stop|kill|logs)\s+([a-z0-9][a-z0-9_.-]{1,62})\b"),
)
_NOT_CONTAINER = STOP_WORDS | frozenset("docker all tous les des on sur this that ce le la".split())
_SERVER_NAME = re.compile(
    r"\b(?:server|serveur|host|machine|node)\s+(?:named\s+|nomme\s+|appele\s+|called\s+)?([a-z][a-z0-9.-]{1,99})"
)


@dataclass
class Extracted:
    """Every parameter the text gives, before filtering by the chosen action's schema."""

    values: dict[str, Any] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)  # folded fragments hidden from names and words

    def blank_out(self, folded: str) -> str:
        for piece in self.blank:
            folded = folded.replace(piece, " " * len(piece))
        return folded


def extract_raw(cleaned: str, *, command_given: bool = False) -> Extracted:
    """Case-preserving values from the cleaned text: quoted command, URL, version, path, address.
    `command_given`: the raw command was already taken (backticks); no other text is a command."""
    out = Extracted()
    quoted = None if command_given else _QUOTED.search(cleaned)
    if command_given:
        pass
    elif quoted:
        command = (quoted.group(1) or quoted.group(2) or "").strip()
        if command:
            out.values["command"] = command
            out.values["quoted"] = command
            out.blank.append(fold(quoted.group(0)))
    else:
        unquoted = _UNQUOTED_COMMAND.search(cleaned) or _DOLLAR_COMMAND.search(cleaned)
        if unquoted and unquoted.group(1).strip():
            out.values["command"] = unquoted.group(1).strip()
            out.blank.append(fold(unquoted.group(1)))
    rest = cleaned if not quoted else cleaned.replace(quoted.group(0), " ")
    url = _URL.search(rest) or _DOMAIN.search(rest)
    if url:
        value = url.group(0).rstrip(".,;:!?)")
        out.values["url"] = value
        out.blank.append(fold(value))
        rest = rest.replace(value, " ")
    ip = _IPV4.search(rest)
    if ip:
        out.values["address"] = ip.group(0)
        out.blank.append(ip.group(0))
        rest = rest.replace(ip.group(0), " ")
    version = _VERSION.search(rest)
    if version:
        out.values["version"] = version.group(1)
        out.blank.append(fold(version.group(1)))
    path = _PATH.search(rest)
    if path:
        out.values["path"] = path.group(1).rstrip(".,;:!?") or "/"
        out.blank.append(fold(path.group(1)))
    return out


def extract_folded(folded: str, out: Extracted, known_words: frozenset[str] = frozenset()) -> None:
    """Counts, durations, filters and choices from the folded text (names already blanked)."""
    text = number_words_to_digits(folded)
    for pattern in _LINES:
        m = pattern.search(text)
        if m:
            out.values["lines"] = min(int(m.group(1)), 100000)
            break
    m = _SINCE_N.search(text)
    if m:
        out.values["since"] = f"{int(m.group(1))}{_UNIT_LETTER[m.group(2)[0]]}".replace("w", "d")
        if m.group(2)[0] == "w":
            out.values["since"] = f"{int(m.group(1)) * 7}d"
    else:
        for pattern, value in _SINCE_WORDS:
            if pattern.search(text):
                out.values["since"] = value
                break
    explicit = _GREP_EXPLICIT.search(text)
    if "quoted" in out.values and re.search(r"\b(containing|contenant|grep|matching|with|avec|mot|word)\b|\bw/", text):
        out.values["grep"] = out.values["quoted"]
    elif explicit and explicit.group(1) not in STOP_WORDS:
        out.values["grep"] = explicit.group(1)
    else:
        for pattern, value in _GREP_WORDS:
            g = pattern.search(text)
            if g:
                out.values["grep"] = g.expand(value)
                break
    mem, cpu = _SORT_MEM.search(text), _SORT_CPU.search(text)
    if mem or cpu:
        out.values["sort"] = "mem" if mem and (not cpu or mem.start() < cpu.start()) else "cpu"
    for pattern in _LIMIT:
        m = pattern.search(text)
        if m:
            out.values["limit"] = int(m.group(1))
            break
    for pattern in _PID:
        m = pattern.search(text)
        if m:
            out.values["pid"] = int(m.group(1))
            break
    option = _option(folded)
    if option is not None:
        out.values["option"] = option


def extract_container(folded: str, out: Extracted, known_words: frozenset[str] = frozenset()) -> None:
    """`restart the redis container`, `redémarre le conteneur redis` → `redis` (names still visible)."""
    for pattern in _CONTAINER:
        m = pattern.search(folded)
        if m and m.group(1) not in _NOT_CONTAINER and m.group(1) not in known_words:
            out.values["container"] = m.group(1)
            break


def extract_server_name(folded: str, out: Extracted) -> None:
    """`add server web-04 …` → name `web-04` (read before names are blanked)."""
    name = _SERVER_NAME.search(folded)
    if name is None and "address" in out.values:  # "onboard app-03 at 10.0.5.3", "intègre app-03 en 10.0.5.3"
        name = _ADD_NAME.search(folded)
    if name and name.group(1) not in _NOT_CONTAINER:
        out.values["name"] = name.group(1)


_ADD_NAME = re.compile(
    r"\b(?:add|register|enroll|onboard|declare|ajoute[rz]?|enregistre[rz]?|integre[rz]?|inscri[rstz]?|declare[rz]?)\s+"
    r"(?:(?:a|an|the|new|le|la|l\s*'|un|une|nouveau|nouvelle)\s+)*([a-z][a-z0-9]*-[a-z0-9.-]*[0-9][a-z0-9.-]*)"
    r"(?=\s+(?:at|ip|with|en|avec|on|sur|@|as|address|adresse)\b)"
)


def _option(text: str) -> int | None:
    m = _OPTION.search(text)
    if m:
        return int(m.group(1) or m.group(2))
    numbered = re.search(r"\b(?:number|numero|num|no|with|avec)\s+(\w+)\s*\W*(?:please|pls|stp|svp)?\W*$", text)
    if numbered and (numbered.group(1) in _NUMBER_WORDS or numbered.group(1).isdigit()):
        number = _NUMBER_WORDS.get(numbered.group(1)) or int(numbered.group(1))  # "let's go with number one"
        return number if 1 <= number <= 20 else None
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _ORDINAL_FILLER]
    if len(words) == 1 and words[0] in ORDINALS:
        return ORDINALS[words[0]]
    if len(words) == 1 and len(text.split()) <= 6 and (words[0] in _NUMBER_WORDS or words[0].isdigit()):
        number = _NUMBER_WORDS.get(words[0]) or int(words[0])  # "la 3", "let's go with number two", "la deux"
        return number if 1 <= number <= 20 else None
    return None


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "un": 1, "une": 1, "deux": 2, "trois": 3,
                 "quatre": 4, "cinq": 5}
