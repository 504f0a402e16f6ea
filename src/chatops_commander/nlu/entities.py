"""Tolerant matching of host, group and service names against an inventory (docs/ACTIONS.md rules 1-2)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from chatops_commander.domain.inventory import Inventory
from chatops_commander.nlu.lexicon import (
    ALL_HOSTS,
    COMMON_WORDS,
    EN_MARKERS,
    ENVIRONMENT_NAMES,
    FR_MARKERS,
    GROUP_ALIASES,
    SERVER_NOUNS,
    SERVICE_ALIASES,
    STOP_WORDS,
)
from chatops_commander.nlu.text import Token, fold, tokenize

_JOINABLE = re.compile(r"^[ ._-]?$")
_HOST_LIKE = re.compile(r"^([a-z]{2,})[-_]?(\d+)$")
_GROUP_LEAD = frozenset("on sur across dans en in to vers for pour".split())
_SKIPPABLE = frozenset("the les all tous toutes my mes our nos des de du".split())
_HOST_LEAD = frozenset(
    "on sur of de du for pour to vers at from a across in dans chez host hote server serveur machine box node noeud vm"
    " instance srv named called nomme appele".split()
)
_EXCLUDE = re.compile(
    r"\b(?:except(?:\s+for|\s+on)?|excluding|exclude|but\s+not(?:\s+on)?|other\s+than|apart\s+from|aside\s+from"
    r"|besides|save\s+for|sauf(?:\s+sur|\s+pour)?|excepte(?:\s+sur)?|hormis|a\s+part|a\s+l\s*'?\s*exception\s+de"
    r"|mais\s+pas(?:\s+sur)?|hors)\b|,\s*(?:but\s+)?not(?:\s+on)?\b|,\s*(?:mais\s+)?pas(?:\s+sur)?\b"
)
_EXCLUDE_END = re.compile(r"[;.!?]|,\s*(?!and\b|et\b|or\b|ou\b)|\b(?:then|puis|ensuite|and\s+then|et\s+puis)\b")
_SERVER_LEAD = frozenset("host hote server serveur machine box node noeud vm instance srv named called nomme appele"
                          .split())
_COUNT_WORDS = frozenset(  # `top10`, `last50`, `tail100`: a count glued to its word, not a server name
    "top last first tail head limit pid port v version x n no num number ligne lignes line lines http https ipv".split()
)
_COMMON_COMPOUNDS = frozenset(
    "demi-heure demi-journee e-mail week-end peut-etre rendez-vous au-dessus ci-dessous ci-dessus la-bas c-a-d"
    " vis-a-vis check-up follow-up roll-out set-up up-to-date built-in re-run re-deploy re-start read-only"
    " non-stop top-down ad-hoc long-running real-time multi-host sous-domaine grand-chose quelques-uns"
    " peux-tu pouvez-vous est-ce qu-est-ce".split()
)
_SERVICE_NOUNS = frozenset("service daemon unit unite demon".split())  # singular: "les services tournent" lists none
_SERVICE_ARTICLES = frozenset("the le du ce this that a un".split())
_NOT_SERVICE = frozenset(
    "systemd status state etat statut logs log journal journaux tourne tournent marche marchent fonctionne"
    " fonctionnent running runs works working plante crashe repond down up actif active ok".split()
)
_CLITICS = frozenset("il elle ils elles le la les moi toi nous vous y t tu ce on lui leur en je me te se".split())
_ENV_CANONICAL = {
    "production": "production", "prod": "production", "prd": "production", "live": "production",
    "staging": "staging", "stage": "staging", "stg": "staging", "recette": "staging",
    "preprod": "preprod", "preproduction": "preprod", "pre-prod": "preprod",
    "development": "development", "dev": "development", "test": "test", "testing": "test", "qa": "qa",
    "uat": "uat", "sandbox": "sandbox", "demo": "demo",
}
_STRONG_ENV = frozenset("production prod prd staging preprod preproduction recette".split())
_ENV_LEAD = frozenset("to on in en sur vers for pour dans into the la l env environment environnement".split())
_ENV_TAIL = frozenset("env environment environnement servers serveurs hosts machines cluster".split())


_Runs = tuple[tuple[int, int], ...]  # token index ranges (first, last), inclusive


def host_key(name: str) -> str:
    """`WEB-01`, `web 01`, `web01`, `web1` → `web1` (separators dropped, leading zeros dropped)."""
    compact = re.sub(r"[^a-z0-9]", "", fold(name))
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", compact)


def _digits(key: str) -> str:
    return "".join(re.findall(r"\d+", key))


@dataclass(frozen=True)
class Entities:
    hosts: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    all_hosts: bool = False
    services: tuple[str, ...] = ()
    unknown_hosts: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()  # names hidden from action words (hosts, services, groups)
    environments: tuple[str, ...] = ()  # environments the text names, canonical, even when not in the inventory
    excluded: tuple[str, ...] = ()  # hosts set aside ("all servers except web-03"): never targets

    @property
    def named_targets(self) -> bool:
        return bool(self.hosts or self.groups or self.all_hosts)


class EntityMatcher:
    """Built once per inventory; `match` is pure and cheap."""

    def __init__(
        self, inventory: Inventory, known_words: Iterable[str] = (), known_phrases: Iterable[str] = (),
    ) -> None:
        self.inventory = inventory
        self.known_words = frozenset(known_words) | STOP_WORDS
        self.known_phrases = frozenset(known_phrases)
        self.host_keys: dict[str, str] = {}
        for server in inventory.servers:
            self.host_keys.setdefault(host_key(server.name), server.name)
        for server in inventory.servers:
            first_label = server.hostname.split(".")[0]
            if first_label and not first_label.isdigit():
                self.host_keys.setdefault(host_key(first_label), server.name)
        self._short_names(inventory)
        self.name_words: frozenset[str] = frozenset()  # group, environment, service words: never "corrected"
        self.groups: dict[str, tuple[str, ...]] = {g: tuple(h) for g, h in inventory.groups.items()}
        for server in inventory.servers:
            for tag in server.tags:
                if server.name not in self.groups.get(tag, ()):
                    self.groups[tag] = (*self.groups.get(tag, ()), server.name)
        self.group_keys: dict[str, str] = {}
        for group in self.groups:
            self.group_keys[fold(group)] = group
        for canonical, aliases in GROUP_ALIASES.items():
            if canonical in self.groups:
                for alias in aliases:
                    self.group_keys.setdefault(alias, canonical)
        self.full_names: dict[str, str] = {}
        for server in inventory.servers:
            self.full_names.setdefault(fold(server.name), server.name)
            self.full_names.setdefault(fold(server.hostname), server.name)
        names = sorted({s for server in inventory.servers for s in server.services})
        self.service_keys: dict[str, str] = {}
        for name in names:
            self.service_keys[fold(name)] = name
            self.service_keys.setdefault(re.sub(r"[^a-z0-9]", "", fold(name)), name)
        for canonical, aliases in SERVICE_ALIASES.items():
            if canonical in names:
                for alias in aliases:
                    self.service_keys.setdefault(alias, canonical)
        self.name_words = frozenset(self.group_keys) | frozenset(_ENV_CANONICAL) | frozenset(self.service_keys)

    def _short_names(self, inventory: Inventory) -> None:
        """`db-replica` is also `replica` when no other host, group or action word says `replica`."""
        owners: dict[str, set[str]] = {}
        for server in inventory.servers:
            for part in re.split(r"[^a-z0-9]+", fold(server.name)):
                owners.setdefault(part, set()).add(server.name)
        groups = {fold(g) for g in inventory.groups} | {fold(t) for s in inventory.servers for t in s.tags}
        for part, hosts in owners.items():
            if len(hosts) == 1 and part.isalpha() and len(part) >= 4 and part not in groups \
                    and part not in self.known_words:
                self.host_keys.setdefault(part, next(iter(hosts)))

    def is_environment(self, group: str) -> bool:
        return fold(group) in ENVIRONMENT_NAMES

    def group_hosts(self, group: str) -> tuple[str, ...]:
        return self.groups.get(group, ())

    def hosts_running(self, service: str) -> tuple[str, ...]:
        return tuple(s.name for s in self.inventory.servers if service in s.services)

    # ------------------------------------------------------------------ matching

    def match(self, folded: str) -> Entities:
        """Names in the folded text. Hosts or groups after "except", "but not", "sauf", "à part"… are set aside
        (`excluded`), never targets: "reboot all servers except web-03" must not read as "reboot web-03"."""
        cut = _EXCLUDE.search(folded)
        if cut is not None:
            end = _EXCLUDE_END.search(folded, cut.end())
            stop = end.start() if end else len(folded)
            aside = self._match(" " * cut.end() + folded[cut.end() : stop] + " " * (len(folded) - stop))
            if aside.hosts or aside.groups:
                excluded = list(aside.hosts) + [h for g in aside.groups for h in self.group_hosts(g)]
                rest = self._match(folded[: cut.start()] + " " * (stop - cut.start()) + folded[stop:])
                return replace(rest, excluded=tuple(dict.fromkeys(excluded)),
                               spans=tuple(sorted(rest.spans + aside.spans + (cut.span(),))))
        return self._match(folded)

    def _match(self, folded: str) -> Entities:
        tokens = tokenize(folded)
        used: set[int] = set()
        compounds = _compounds(folded, tokens)
        hosts = self._whole_hosts(folded, tokens, used, compounds) + self._hosts(folded, tokens, used, compounds)
        hosts = tuple(dict.fromkeys(hosts))
        hidden = set(used)
        before = set(used)
        services = self._services(folded, tokens, used, compounds)
        hidden |= {i for i in used - before if not any(fold(s) in self.known_phrases for s in services)}
        before_unknown = set(used)
        unknown, unlisted = self._unknown_hosts(folded, tokens, used, compounds, hosts_named=bool(hosts))
        if not services:
            unlisted += self._service_after_noun(tokens, used, compounds)
            services = tuple(dict.fromkeys(unlisted))  # a service the inventory does not list: asked by name
        hidden |= used - before_unknown
        before = set(used)
        groups = self._groups(tokens, used, compounds)
        hidden |= {i for i in used - before if not self.is_environment(self.group_keys.get(tokens[i].text, ""))}
        spans = tuple((tokens[i].start, tokens[i].end) for i in sorted(hidden))
        return Entities(
            hosts=hosts, groups=groups, all_hosts=bool(ALL_HOSTS.search(folded)) and not (hosts or groups),
            services=services, unknown_hosts=unknown, spans=spans, environments=self._environments(tokens, compounds),
        )

    def _whole_hosts(
        self, folded: str, tokens: tuple[Token, ...], used: set[int], compounds: _Runs,
    ) -> tuple[str, ...]:
        """`edge1.par.example.org`, `backup-us-2`: a compound name is one host, or none (never a part of it);
        `web-01.example.org` is web-01 when only the first label names a host."""
        found: list[str] = []
        for first, last in compounds:
            text = folded[tokens[first].start : tokens[last].end]
            name = self.full_names.get(text) or self.host_keys.get(host_key(text))
            if name is None and "." in text:
                head = text.split(".")[0]
                name = self.full_names.get(head) or self.host_keys.get(host_key(head))
            if name is not None:
                found.append(name)
                used.update(range(first, last + 1))
        return tuple(found)

    @staticmethod
    def _splits_compound(compounds: _Runs, start: int, size: int) -> bool:
        end = start + size - 1
        return any(not (end < first or start > last) and (start, end) != (first, last) for first, last in compounds)

    def _environments(self, tokens: tuple[Token, ...], compounds: _Runs) -> tuple[str, ...]:
        inside = {i for first, last in compounds for i in range(first, last + 1)}
        texts = [t.text for t in tokens]
        found: list[str] = []
        for i, word in enumerate(texts):
            canonical = _ENV_CANONICAL.get(word)
            if canonical is None or i in inside:
                continue
            before = texts[i - 1] if i > 0 else ""
            after = texts[i + 1] if i + 1 < len(texts) else ""
            if word in _STRONG_ENV or before in _ENV_LEAD or after in _ENV_TAIL:
                group = self.group_keys.get(word)
                found.append(group if group and self.is_environment(group) else self._environment_group(canonical))
        return tuple(dict.fromkeys(found))

    def _environment_group(self, canonical: str) -> str:
        """The inventory's group for an environment (`prod` → `production`), or the canonical name."""
        for alias, env in _ENV_CANONICAL.items():
            if env == canonical and alias in self.groups:
                return alias
        return canonical

    def _windows(self, folded: str, tokens: tuple[Token, ...], start: int, size: int) -> str | None:
        if start + size > len(tokens):
            return None
        for a, b in zip(tokens[start : start + size - 1], tokens[start + 1 : start + size], strict=True):
            if not _JOINABLE.match(folded[a.end : b.start]):
                return None
        return "".join(t.text for t in tokens[start : start + size])

    def _hosts(self, folded: str, tokens: tuple[Token, ...], used: set[int], compounds: _Runs) -> tuple[str, ...]:
        def match(window: str, _start: int, size: int) -> str | None:
            return self.host_keys.get(host_key(window)) or self._fuzzy_host(window, size)

        return self._scan(folded, tokens, used, match, compounds, skip_used=False)

    def _scan(self, folded: str, tokens: tuple[Token, ...], used: set[int],
              match: Callable[[str, int, int], str | None], compounds: _Runs, *, skip_used: bool) -> tuple[str, ...]:
        """Left to right, the longest window (3, 2, then 1 tokens) that `match(window, start, size)` names;
        its tokens join `used`. `skip_used`: windows touching an already used token are not tried."""
        found: list[str] = []
        i = 0
        while i < len(tokens):
            hit = None
            if not (skip_used and i in used):
                for size in (3, 2, 1):
                    window = self._windows(folded, tokens, i, size)
                    if window is None or (skip_used and any(j in used for j in range(i, i + size))):
                        continue
                    if self._splits_compound(compounds, i, size) or any(j in used for j in range(i, i + size)):
                        continue
                    name = match(window, i, size)
                    if name:
                        hit = (name, size)
                        break
            if hit:
                found.append(hit[0])
                used.update(range(i, i + hit[1]))
                i += hit[1]
            else:
                i += 1
        return tuple(dict.fromkeys(found))

    def _fuzzy_host(self, window: str, size: int) -> str | None:
        if size == 1 and window in self.known_words:
            return None
        key = host_key(window)
        if len(re.sub(r"\d", "", key)) < 3:
            return None
        limit = 1 if len(key) <= 5 else 2
        close = [
            name for k, name in self.host_keys.items()
            if k[0] == key[0] and _digits(k) == _digits(key) and OSA.distance(k, key, score_cutoff=limit) <= limit
        ]
        unique = set(close)
        return close[0] if len(unique) == 1 else None

    def _service_after_noun(self, tokens: tuple[Token, ...], used: set[int], compounds: _Runs) -> tuple[str, ...]:
        """`the foo service`, `le service foo`, `service foo`, `foo.service`: a service the inventory does not
        list is still a service (the answer says where it does not run), never a host nor an action word."""
        texts = [t.text for t in tokens]
        inside = {i for first, last in compounds for i in range(first, last + 1)}
        for i, word in enumerate(texts):
            if word not in _SERVICE_NOUNS:
                continue
            for j in (i + 1, i - 1):
                if not 0 <= j < len(texts) or j in used or j in inside:
                    continue
                candidate = texts[j]
                if (len(candidate) >= 3 and candidate.isalnum() and not candidate.isdigit()
                        and candidate not in self.known_words and candidate not in _SERVICE_NOUNS
                        and candidate not in COMMON_WORDS
                        and candidate not in FR_MARKERS and candidate not in EN_MARKERS
                        and candidate not in _NOT_SERVICE and (j == i - 1 or word != "service" or i == 0
                                                               or texts[i - 1] in _SERVICE_ARTICLES)):
                    used.add(j)
                    return (candidate,)
        return ()

    def _unknown_hosts(
        self, folded: str, tokens: tuple[Token, ...], used: set[int], compounds: _Runs, *, hosts_named: bool,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Unknown host names, and compound names next to a real server name (`cron-agent on web-02`): services
        the inventory does not list."""
        unknown: list[str] = []
        unlisted: list[str] = []
        soft_ones: list[tuple[str, int, int]] = []
        texts = [t.text for t in tokens]
        for first, last in compounds:
            if any(j in used for j in range(first, last + 1)):
                continue
            parts = texts[first : last + 1]
            text = folded[tokens[first].start : tokens[last].end]
            if set(parts) & _CLITICS or text in self.known_phrases or all(p.isdigit() for p in parts):
                continue
            lead = texts[first - 1] if first > 0 else ""
            strong = any(ch.isdigit() for ch in text) or lead in _HOST_LEAD or "." in text
            if strong and hosts_named and lead not in _SERVER_LEAD and not any(ch.isdigit() for ch in text) \
                    and "." not in text and text not in _COMMON_COMPOUNDS \
                    and not all(self._ordinary_word(p) for p in parts):
                strong = False  # `status of foo-agent on web-02`: next to a real server, an unlisted service
            soft = not hosts_named and text not in _COMMON_COMPOUNDS and not all(self._ordinary_word(p) for p in parts)
            if text.endswith(".service") and len(parts) >= 2:
                unlisted.append(text[: -len(".service")])
                used.update(range(first, last + 1))
            elif strong:
                unknown.append(text)
                used.update(range(first, last + 1))
            elif soft:
                soft_ones.append((text, first, last))
            elif hosts_named and "." not in text and text not in _COMMON_COMPOUNDS \
                    and not all(self._ordinary_word(p) for p in parts):
                unlisted.append(text)
                used.update(range(first, last + 1))
        if not unknown:  # `reboot api-prod`: a name nobody knows; next to a real server name, an unknown service
            for text, first, last in soft_ones:
                unknown.append(text)
                used.update(range(first, last + 1))
        for i, tok in enumerate(tokens):
            if i in used or any(first <= i <= last for first, last in compounds):
                continue
            pair = tok.text
            if (i + 1 < len(tokens) and tokens[i + 1].text.isdigit() and tok.end + 1 == tokens[i + 1].start
                    and folded[tok.end] in "-_"):
                pair = f"{tok.text}-{tokens[i + 1].text}"
            m = _HOST_LIKE.match(pair)
            lead = texts[i - 1] if i > 0 else ""
            if m and ("-" in pair or (len(m.group(2)) >= 2 and m.group(1) not in _COUNT_WORDS)):
                unknown.append(pair)
                used.update((i, i + 1) if pair != tok.text else (i,))
        return tuple(unknown), tuple(unlisted)

    def _ordinary_word(self, part: str) -> bool:
        """A part that makes a compound an ordinary word (`demi-heure`, `re-deploy`), not a host name."""
        if len(part) == 1 or part in FR_MARKERS or part in EN_MARKERS:
            return True
        return part in self.known_words and part not in _ENV_CANONICAL and part not in self.group_keys

    def _services(self, folded: str, tokens: tuple[Token, ...], used: set[int], compounds: _Runs) -> tuple[str, ...]:
        def match(window: str, start: int, size: int) -> str | None:
            dashed = "-".join(t.text for t in tokens[start : start + size])
            name = self.service_keys.get(dashed) or self.service_keys.get(window)
            if name is None and size == 1:
                name = self._fuzzy_service(window)
            return name

        return self._scan(folded, tokens, used, match, compounds, skip_used=True)

    def _fuzzy_service(self, word: str) -> str | None:
        if len(word) < 5 or word in self.known_words or word.isdigit():
            return None
        limit = 1 if len(word) < 8 else 2
        close = {
            name for k, name in self.service_keys.items()
            if len(k) >= 4 and k[0] == word[0] and OSA.distance(k, word, score_cutoff=limit) <= limit
        }
        return close.pop() if len(close) == 1 else None

    def _groups(self, tokens: tuple[Token, ...], used: set[int], compounds: _Runs) -> tuple[str, ...]:
        found: list[str] = []
        texts = [t.text for t in tokens]
        compound_of = {i: (first, last) for first, last in compounds for i in range(first, last + 1)}
        for i, word in enumerate(texts):
            if i in used:
                continue
            if i in compound_of:
                first, last = compound_of[i]
                whole = "-".join(texts[first : last + 1])
                if i == first and whole in self.group_keys:
                    found.append(self.group_keys[whole])
                    used.update(range(first, last + 1))
                continue
            group = self.group_keys.get(word)
            if group is None and i + 1 < len(texts):
                group = self.group_keys.get(word + texts[i + 1]) or self.group_keys.get(f"{word}-{texts[i + 1]}")
            if group is None:
                continue
            plain = word not in self.known_words and word == fold(group)  # the group's own name, not an alias
            if self.is_environment(group) or plain or self._group_context(texts, i):
                found.append(group)
                used.add(i)
        return tuple(dict.fromkeys(found))

    @staticmethod
    def _group_context(texts: list[str], i: int) -> bool:
        after = texts[i + 1 : i + 3]
        before = [w for w in texts[max(0, i - 3) : i] if w not in _SKIPPABLE]
        if after[:1] and after[0] in SERVER_NOUNS:
            return True
        if after[:1] == ["db"] and after[1:2] and after[1] in SERVER_NOUNS:
            return True
        return bool(before) and (before[-1] in SERVER_NOUNS or before[-1] in _GROUP_LEAD)


def _compounds(folded: str, tokens: tuple[Token, ...]) -> _Runs:
    """Runs of tokens glued by `-`, `_` or `.` (`node-exporter`, `backup-us-2`, `edge1.par.example.org`)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        j = i
        while j + 1 < len(tokens) and folded[tokens[j].end : tokens[j + 1].start] in ("-", "_", "."):
            j += 1
        if j > i:
            runs.append((i, j))
        i = j + 1
    return tuple(runs)
