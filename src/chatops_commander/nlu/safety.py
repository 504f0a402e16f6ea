"""Safety readings that outrank accuracy (docs/ACTIONS.md, "Safety rules").

Each function reads the folded text (lower case, no accents, quotes unified) and returns spans
of it: words that must not count as the action asked for, because they are negated ("don't
reboot", "ne redémarre pas"), or because they are what a read request is about ("logs since the
reboot", "when did web-01 last reboot?", "is postfix stopped?"). Blanking keeps offsets, so the
spans apply to every string derived from the folded text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_BOUNDARY = re.compile(
    r"[,.;!?:]|\b(just|only|but|instead|rather|simply|then|and\s+(just|only|show|give|tell|check|list|get)"
    r"|juste|seulement|mais|plutot|simplement|uniquement|par contre|et\s+(montre|donne|affiche|dis|verifie))\b"
    r"|\s-\s"
)
_NEGATION = re.compile(
    r"\b(?:don\s*'?\s*t|do\s+not|dont|doesn\s*'?\s*t|does\s+not|no\s+need\s+(?:to|for)|not\s+necessary\s+to"
    r"|(?:not|never)\s+(?:asking|telling|saying|requesting|suggesting|wanting)\s+(?:you\s+)?(?:to\s+)?"
    r"|without|never(?!\s*mind)|avoid|instead\s+of|rather\s+than|shouldn\s*'?\s*t|should\s+not|must\s+not"
    r"|mustn\s*'?\s*t|no\s+(?=(?:reboot|restart|stop|kill|cleanup|clean|deploy|rollback|backup|shutdown)\w*)"
    r"|not\s+(?=(?:reboot|restart|stop|kill|clean|deploy|roll|backup|shut|start|reload|remove)\w*)"
    r"|ne\s+(?:pas|jamais|plus|rien)?|n\s*'|surtout\s+pas|pas\s+besoin\s+d|pas\s+la\s+peine\s+d|inutile\s+d"
    r"|sans|evite[rz]?\s+d|jamais|faut\s+pas|pas\s+de|pas\s+(?=(?:de\s+)?(?:redemarr|reboot|arret|stopp|tue"
    r"|nettoy|deploi|deploy|sauvegard|rollback|relanc|coupe|eteins|demarr)\w*)|au\s+lieu\s+d|plutot\s+que\s+d"
    # dismissing an action before asking something else: "never mind the reboot", "forget the restart",
    # "skip the cleanup", "oublie le redémarrage", "laisse tomber le reboot"
    r"|(?:never\s*mind|forget(?:\s+about)?|skip|scratch|drop|no\s+more|oublie[rz]?|laisse[rz]?\s+tomber|laisse"
    r"|annule[rz]?|plus\s+de)\s+(?:the\s+|that\s+|this\s+|a\s+|le\s+|la\s+|les\s+|l\s*'\s*|un\s+|une\s+|ce\s+)?"
    r"(?=(?:reboot|restart|redemarr|relanc|stop|arret|kill|clean|nettoy|purge|deploy|deploi|roll|backup|sauvegard"
    r"|shut|start|demarr|reload|recharg|bounce)\w*\b[^,;.!?]*[,;.!?]|(?:reboot|restart|redemarr|relanc|stop|arret"
    r"|kill|clean|nettoy|purge|deploy|deploi|roll|backup|sauvegard|shut|start|demarr|reload|recharg|bounce)\w*"
    r"\s+(?:and|et|but|mais|just|juste)\b))"
)
_ACTION_STEMS = (
    r"reboot\w*|restart\w*|redemarr\w*|relanc\w*|stop\w*|arret\w*|shut\s*down|shutdown|halt\w*|kill\w*|tue\w*"
    r"|clean\w*|nettoy\w*|purge\w*|deploy\w*|deploi\w*|ship\w*|release\w*|roll\s*back\w*|rollback\w*|backup\w*"
    r"|back(?:ed)?\s+up|sauvegard\w*|start\w*|demarr\w*|reload\w*|recharg\w*|crash\w*|upgrade\w*|mise a jour"
    r"|outage|panne|incident|bounce\w*|cycle\w*|update\w*|dump\w*|snapshot\w*|deployment|livraison"
)
_ACTION_WORD = re.compile(_ACTION_STEMS)
_WORD = re.compile(r"[a-z0-9]+")
_ARTICLES = (r"(?:(?:the|a|an|its|their|this|that|last|latest|previous|recent|most\s+recent|le|la|les|l\s*'?"
             r"|du|des|un|une|son|sa|ses|leur|dernier|derniere|precedent|ce|cette|my|our|mon|ma|notre)\s+)*")
_READ_FRAMES = tuple(re.compile(p) for p in (
    # "since / after / before the reboot", "depuis le redémarrage"
    r"\b(?:since|after|before|during|around|from|depuis|apres|avant|pendant|lors|enough\b[^,.;!?]{0,40}?\bfor|re"
    r"ady\s+for"
    r"|assez\b[^,.;!?]{0,40}?\bpour|pret\s+pour|suffisamment\b[^,.;!?]{0,40}?\bpour)\s+" + _ARTICLES
    + r"(?P<w>" + _ACTION_STEMS + r")",
    # "last reboot", "dernier redémarrage"
    r"\b(?:last|latest|previous|recent|dernier|derniere|precedent|precedente)\s+(?P<w>" + _ACTION_STEMS + r")",
    # "reboot history / time / reason", "heure du redémarrage"
    r"(?P<w>" + _ACTION_STEMS + r")\s+(?:history|histories|time|times|date|dates|count|reason|log|logs|events?"
    r"|timestamps?|records?)\b",
    r"\b(?:historique|heure|date|raison|cause|nombre|trace|journal)\s+(?:du|des|de|d\s*'?)\s*(?:la\s+|l\s*'?)?"
    r"(?:dernier\s+|derniere\s+)?(?P<w>" + _ACTION_STEMS + r")",
    # "containing reboot", "mentioning the restart", "grep shutdown"
    r"\b(?:containing|contain|contains|mentioning|mention|mentions|matching|match|grep|about|regarding|with\s+the"
    r"\s+words?|for\s+the\s+words?|contenant|contiennent|mentionnant|avec\s+le\s+mot|concernant|sur\s+le)\s+['\"]?"
    + _ARTICLES + r"(?P<w>" + _ACTION_STEMS + r")",
    # "when / why / how often did X (last) reboot", "quand ... redémarré"
    r"\b(?:when|why|how\s+often|how\s+long\s+ago|how\s+many\s+times|what\s+time|at\s+what\s+time|quand|pourquoi"
    r"|combien\s+de\s+fois|a\s+quelle\s+heure|depuis\s+quand)\b[^,.;!?]*?\b(?P<w>" + _ACTION_STEMS + r")",
    # "is postfix stopped?", "was it restarted", "did web-01 reboot", "has nginx been restarted"
    r"\b(?:is|are|was|were|has|have|had|did|does|got|get|been|it\s*'?\s*s)\s+(?:[^\s,.;!?]+\s+){0,3}?(?:been\s+|just\s+"
    r"|already\s+|recently\s+|properly\s+|correctly\s+|successfully\s+)*(?P<w>(?:re)?(?:booted|started|stopped|"
    r"killed|deployed|reloaded|cleaned|backed\s+up|rolled\s+back|shut\s+down|halted|crashed|started)|reboot"
    r"(?=\s*(?:\?|$|recently|today|yesterday|last|this|overnight|lately)))",
    # "est arrêté", "a redémarré", "a-t-il été redémarré", "s'est arrêté"
    r"\b(?:est|sont|etait|a|ont|avait|as|avez|a-t-il|a-t-elle|est-il|est-elle|t-il|s\s*'?\s*est)\s+(?:[^\s,.;!?]+\s+)"
    r"{0,2}?(?:ete\s+|bien\s+|deja\s+|correctement\s+)*(?P<w>(?:redemarre|reboote|arrete|stoppe|relance|deploye"
    r"|tue|sauvegarde|nettoye|recharge|demarre|plante|coupe|eteint|lance)e?s?)\b",
    # "has grafana come back up?", "is it back up?": a state, not a backup
    r"\b(?:come|came|comes|coming|is|are|was|were|got|get|gets|getting|been|it\s*'?\s*s)\s+(?:[^\s,.;!?]+\s+){0,2}?"
    r"(?P<w>back\s+(?:up|online))\b(?!\s+(?:the|a|my|our)\s+(?:db|database|data))",
    # "is the backup done?", "did the deploy go through?", "le dernier déploiement a marché ?"
    r"\b(?:is|was|did|has|have|were|are)\s+(?:the\s+|my\s+|our\s+|last\s+|latest\s+|today'?s\s+)*(?P<w>"
    + _ACTION_STEMS + r")\s+(?:[^\s,.;!?]+\s+)?(?:done|finished|complete|completed|ok|okay|succeed\w*|successful"
    r"|go\s+through"
    r"|went\s+through|work\w*|run|ran|pass\w*|fail\w*|over|good|fine)\b",
    r"\b(?:le|la|l\s*'?|mon|ma|notre|dernier|derniere)\s*(?:dernier\s+|derniere\s+)?(?P<w>" + _ACTION_STEMS
    + r")\s+(?:d\s*'?\s*hier\s+|de\s+\S+\s+)?(?:a\s+|s\s*'?\s*est\s+|est\s+)(?:bien\s+)?(?:marche|fonctionne|reussi"
    r"|echoue|termine|fini|passe|plante|ok)\b",
))
_NEED_FRAMES = tuple(re.compile(p) for p in (
    # "is a reboot needed on web-02?", "does nginx need a restart?", "do we need to reboot db-master?",
    # "un reboot est nécessaire ?", "faut-il redémarrer web-02 ?", "est-ce qu'il faut rebooter ?": whether it is needed
    r"\b(?:is|are|was|would|will)\s+(?:[^\s,.;!?]+\s+){0,3}?(?P<w>" + _ACTION_STEMS + r")\s+(?:[^\s,.;!?]+\s+){0"
    r",2}?(?:really\s+|still\s+"
    r"|even\s+|actually\s+)?(?:needed|required|necessary|recommended|advisable|advised|pending|due|warranted|wor"
    r"th\s+it)\b",
    r"\b(?:do|does|did|should|would|will)\s+(?:[^\s,.;!?]+\s+){0,3}?(?:really\s+|still\s+|even\s+|actually\s+)?("
    r"?:need|needs|require"
    r"|requires|have)\s+(?:a\s+|an\s+|another\s+|to\s+(?:be\s+)?)?(?P<w>" + _ACTION_STEMS + r")(?=[^,.;!]*(?:\?|$))",
    r"\b(?:is\s+there|are\s+there)\s+(?:a\s+|an\s+|any\s+)?(?:need|reason)\s+(?:to|for)\s+(?:a\s+|an\s+)?(?P<w>"
    + _ACTION_STEMS + r")",
    r"\b(?P<w>" + _ACTION_STEMS + r")\s+(?:[^\s,.;!?]+\s+){0,3}?(?:est|serait|sera|semble|parait|reste)\s+(?:vraim"
    r"ent\s+|encore\s+"
    r"|toujours\s+)?(?:necessaire|necessaires|requis|requise|obligatoire|recommande|recommandee|utile|indispensable"
    r"|a\s+prevoir|en\s+attente)\b",
    r"\b(?:faut[ -]il|faudrait[ -]il|doit[ -]on|devrait[ -]on|dois[ -]je|devrais[ -]je|est[ -]ce\s+qu\s*'?\s*il\s+faut"
    r"|est[ -]ce\s+qu\s*'?\s*on\s+doit|y\s+a[ -]t[ -]il\s+besoin\s+de|(?:il\s+)?(?:y\s+)?a\s+besoin\s+d\s*'?\s*("
    r"?:un\s+|une\s+)?"
    r"|on\s+a\s+besoin\s+de|besoin\s+d\s*'?\s*(?:un\s+|une\s+))\s*(?:[^\s,.;!?]+\s+){0,2}?(?P<w>" + _ACTION_STEMS
    + r")(?=[^,.;!]*(?:\?|$))",
))
# Questions about who did what, or what was done ("who restarted nginx?", "qui a redémarré nginx ?", "qu'est-ce
# qui a été lancé hier ?", "what got restarted?"): the verb is what the history is asked about, never an order.
_PAST_EN = (r"(?:re)?(?:booted|started|stopped|killed|deployed|reloaded|cleaned(?:\s+up)?|backed\s+up|rolled\s+back"
            r"|shut\s+down|halted|launched|bounced|ran|run|executed|removed|purged|dumped)")
_PAST_FR = (r"(?:redemarre|reboote|arrete|stoppe|relance|deploye|tue|sauvegarde|nettoye|recharge|demarre|coupe"
            r"|lance|eteint|execute|purge|retire|supprime|livre)e?s?")
_BASE_EN = (r"(?:re)?(?:boot|start|stop|kill|deploy|reload|clean(?:\s+up)?|back\s+up|roll\s+back|shut\s+down|hal"
r"t|launch"
            r"|bounce|run|execute|remove|purge|dump|touch|change|restart)")
_HISTORY_FRAMES = tuple(re.compile(p) for p in (
    r"\b(?:did|has|have|had)\s+(?:someone|anyone|anybody|somebody|any\s+one|one\s+of\s+you|you|we|they|he|she|i)\s+"
    r"(?:already\s+|just\s+|recently\s+|ever\s+)?(?P<w>" + _BASE_EN + r"|" + _PAST_EN + r")\b(?=[^,.;!]*\?)",
    r"\b(?:who|whoever|which\s+users?|somebody|someone|anyone|anybody)\s+(?:[^\s,.;!?]+\s+){0,2}?(?P<w>" + _PAST_EN
    + r")\b",
    r"\b(?:qui|quelqu\s*'?\s*un|quel\s+utilisateur|personne)\s+(?:a|aurait|ont|avait)\s+(?:[^\s,.;!?]+\s+){0,1}?(?P<w>"
    + _PAST_FR + r")\b",
    r"\b(?:what|which\s+\w+)\s+(?:was|were|got|has\s+been|have\s+been|had\s+been)\s+(?:[^\s,.;!?]+\s+){0,1}?(?P<w>"
    + _PAST_EN + r")\b",
    r"\b(?:qu\s*'?\s*est[ -]ce\s+qu\s*'?\s*(?:i|on)|quoi|quels?\s+\w+|quelles?\s+\w+|ce\s+qu\s*'?\s*(?:i|on))\s+"
    r"(?:a|ont|avait|s\s*'?\s*est)\s+(?:ete\s+|bien\s+|deja\s+)*(?P<w>" + _PAST_FR + r")\b",
    # "how is the deploy going?", "on en est où du déploiement ?": progress of something done
    r"\b(?:ou\s+en\s+est|on\s+en\s+est\s+ou\s+(?:du|de\s+la|des|de\s+l\s*'?|avec)|progress\s+of|how\s+is|how\s*'?s"
    r"|status\s+of)\s+(?:the\s+|le\s+|la\s+|l\s*'\s*|my\s+|our\s+|today\s*'?s\s+|last\s+)*(?P<w>deploy|deploymen"
    r"t|rollout"
    r"|release|rollback|backup|deploiement|livraison|sauvegarde|mise\s+en\s+prod)\b",
    # "were there any restarts today?", "any deploys this week?", "y a eu des redémarrages ?": events, counted
    r"\b(?:were\s+there|have\s+there\s+been|has\s+there\s+been|there\s+were|any|how\s+many|y\s*'?\s*a(?:-t-il)?\s+eu"
    r"|il\s+y\s+a\s+eu|combien\s+de)\s+(?:any\s+|des\s+|de\s+|d\s*'\s*)?(?P<w>restarts|reboots|deploys|deploymen"
    r"ts|rollbacks"
    r"|redemarrages|deploiements|relances|mises\s+en\s+prod|shutdowns|arrets)\b",
))
_UNDO = re.compile(r"\b(undo|revert|roll\s*back|rollback|annule[rz]?|defai[st]|cancel|reverse)\s+(the\s+|le\s+|la\s+"
                   r"|l\s*'?\s*|du\s+|that\s+)?$")
_OUTCOME = re.compile(r"(?:done|finished|complete|succeed|successful|through|work|ran|pass|fail|over|marche"
                      r"|fonctionne|reussi|echoue|termine|fini|passe)")
_STATE_QUESTION = re.compile(
    r"\b(?:is|are|was|were|est|sont|est-il|est-elle|sont-ils)\s+(?:[^\s,.;!?]+\s+){0,3}?(?P<w>stopped|down|dead|"
    r"running|up"
    r"|started|arrete|arretee|arretes|stoppe|demarre|lance|tombe|mort|actif|inactif|up)\b"
)


@dataclass(frozen=True)
class Reading:
    """Spans of the folded text that do not name the action asked for."""

    negated: tuple[tuple[int, int], ...] = ()
    read_objects: tuple[tuple[int, int], ...] = ()
    state_question: bool = False
    when_question: bool = False
    outcome_question: bool = False  # "did the deploy go through?": about what was done (the history)
    need_question: bool = False  # "is a reboot needed?", "faut-il redémarrer nginx ?": whether to act, not acting

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self.negated + self.read_objects

    def blank(self, folded: str, is_action_word: Callable[[str], bool]) -> str:
        """Read-about words blanked; in negated clauses, the action words blanked (names and read words stay)."""
        chars = list(self.blank_negated(folded, is_action_word))
        for start, end in self.read_objects:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def blank_negated(self, folded: str, is_action_word: Callable[[str], bool]) -> str:
        chars = list(folded)
        for start, end in self.negated:
            for m in _WORD.finditer(folded, start, end):
                if is_action_word(m.group(0)) or _ACTION_WORD.fullmatch(m.group(0)):
                    chars[m.start() : m.end()] = " " * (m.end() - m.start())
        return "".join(chars)

    def part(self, folded: str, spans: tuple[tuple[int, int], ...]) -> str:
        """Only the text inside `spans` (the rest blanked): what was negated or read about."""
        chars = [" "] * len(folded)
        for start, end in spans:
            chars[start:end] = folded[start:end]
        return "".join(chars)


# An action ruled out after it is named: "restart is not an option", "a reboot is out of the question",
# "le redémarrage n'est pas une option", "rebooter est hors de question".
_RULED_OUT = re.compile(
    r"\b(?P<w>" + _ACTION_STEMS + r")(?:\s+[^\s,.;!?]+){0,3}?\s+(?:is\s+not|isn\s*'?\s*t|is\s+no|are\s+not|aren\s*"
    r"'?\s*t)\s+(?:an?\s+)?"
    r"(?:option|possible|allowed|permitted|acceptable|wanted|needed|necessary|required)\b"
    r"|\b(?P<w2>" + _ACTION_STEMS + r")(?:\s+[^\s,.;!?]+){0,3}?\s+(?:is|are)\s+(?:out\s+of\s+the\s+question|off\s+"
    r"the\s+table"
    r"|forbidden|not\s+an\s+option|a\s+no[\s-]go|out)\b"
    r"|\b(?P<w3>" + _ACTION_STEMS + r")(?:\s+[^\s,.;!?]+){0,3}?\s+(?:n\s*'?\s*est|ne\s+sont)\s+pas\s+(?:une\s+opti"
    r"on|possible|permis"
    r"|autorise\w*|necessaire|utile|envisageable|souhaitable)\b"
    r"|\b(?P<w4>" + _ACTION_STEMS + r")(?:\s+[^\s,.;!?]+){0,3}?\s+(?:est|sont)\s+(?:hors\s+de\s+question|exclue?s?"
    r"|interdite?s?)\b"
)


def negated_spans(folded: str) -> tuple[tuple[int, int], ...]:
    """From each negation to the end of its clause (comma, "just", "mais", …)."""
    spans: list[tuple[int, int]] = []
    for m in _RULED_OUT.finditer(folded) if _RULED_OUT_HINT.search(folded) else ():
        group = next(g for g in ("w", "w2", "w3", "w4") if m.group(g) is not None)
        spans.append((m.start(group), m.end()))
    for m in _NEGATION.finditer(folded):
        french = m.group(0).startswith(("ne", "n")) and not m.group(0).startswith(("never", "no ", "not"))
        if french and not _french_negation_closes(folded, m.end()):
            continue
        start = m.start()
        boundary = _BOUNDARY.search(folded, m.end())
        end = boundary.start() if boundary else len(folded)
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def _french_negation_closes(folded: str, at: int) -> bool:
    """`ne … pas/plus/jamais/rien` (or `ne pas …`): a bare "ne" without its second half is no negation."""
    boundary = _BOUNDARY.search(folded, at)
    clause = folded[at : boundary.start() if boundary else len(folded)]
    return bool(re.search(r"\b(pas|plus|jamais|rien|point)\b", folded[max(0, at - 6) : at] + " " + clause))


def read_spans(folded: str) -> tuple[tuple[tuple[int, int], ...], bool, bool, bool]:
    """Action words that are what a read request is about; whether it asks a state, a "when", an outcome."""
    spans: list[tuple[int, int]] = []
    when = outcome = False
    last = len(_READ_FRAMES) - 2
    for index, pattern in enumerate(_READ_FRAMES):
        for m in pattern.finditer(folded):
            if _UNDO.search(folded[: m.start()]):
                continue  # "undo the last deploy", "annule le dernier déploiement": an order, not a question
            spans.append(m.span("w"))
            when = when or index in (0, 1, 2, 3, 5)
            outcome = outcome or index >= last
    for pattern in _HISTORY_FRAMES:
        for m in pattern.finditer(folded):
            boundary = _BOUNDARY.search(folded, m.end("w"))
            spans.append((m.start("w"), boundary.start() if boundary else len(folded)))  # "who killed the backup"
            outcome = True
    state = bool(_STATE_QUESTION.search(folded)) and bool(re.search(r"\?|^(is|are|was|est|sont)\b", folded))
    return tuple(spans), state, when or outcome, outcome


_NEED_HINT = re.compile(r"need|requir|necess|recommand|recommend|advis|pending|due\b|warrant|worth|faut|doit|dois|devr"
                        r"|besoin|requis|obligatoire|utile|indispensable|prevoir|attente|reason")
_RULED_OUT_HINT = re.compile(r"option|question|table|allowed|permitted|acceptable|possible|forbidden|no[\s-]go|wanted"
                             r"|needed|necessary|required|\bout\b|permis|autoris|necessaire|utile|envisageable"
                             r"|souhaitable|exclu|interdit")


def need_spans(folded: str) -> tuple[tuple[int, int], ...]:
    """Action words asked about ("is a reboot needed?", "faut-il redémarrer web-02 ?"): whether to act."""
    if not _NEED_HINT.search(folded):
        return ()
    return tuple(m.span("w") for pattern in _NEED_FRAMES for m in pattern.finditer(folded))


def read(folded: str) -> Reading:
    objects, state, when, outcome = read_spans(folded)
    need = need_spans(folded)
    return Reading(negated=negated_spans(folded), read_objects=objects + need, state_question=state,
                   when_question=when, outcome_question=outcome, need_question=bool(need))
