"""Questions about what happened ("who restarted nginx today?", "qu'est-ce qui a été lancé sur web-01 hier ?"):
the filters of `history.list` (docs/ACTIONS.md, "Parameters"): `action`, `service`, `host`, `user`, `since`,
`until`. Pure: read from the folded text and the names already matched; the history answers them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chatops_commander.nlu.entities import Entities

# The action a question is about, from its (past-tense) verb or noun. Order matters: the first that matches wins
# ("redémarré" is a restart before "démarré" is a start). Restart words name a *service* restart when a service is
# named, a reboot when a server noun is ("the server was restarted"), and no filter otherwise.
_RESTART = re.compile(r"\b(restart\w*|redemarr\w*|relanc\w*|bounc\w*|redem)\b")
_ACTION_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), a) for p, a in (
    (r"\b(reboot\w*|reboote\w*|power[- ]?cycl\w*)\b", "server.reboot"),
    (r"\b(roll(?:ed|ing)?[- ]?backs?|rollback\w*|revert\w*|retour arriere)\b", "app.rollback"),
    (r"\b(deploy\w*|deploi\w*|deploye\w*|release[ds]?|livr\w*|mise en prod|mis en prod|ship(?:ped|s)?)\b",
     "app.deploy"),
    (r"\b(stop(?:ped|s)?|stopp\w*|arret\w*|shut(?:s|ting)? down|coupe\w*)\b", "service.stop"),
    (r"\b(reload\w*|recharg\w*)\b", "service.reload"),
    (r"\b(started|starts|start|demarr\w*)\b", "service.start"),
    (r"\b(kill\w*|tue[rs]?|tuee?s?)\b", "process.kill"),
    (r"\b(back(?:ed)?[- ]?up\w*|sauvegard\w*|dump\w*)\b", "db.backup"),
    (r"\b(clean\w*|nettoy\w*|purg\w*)\b", "disk.cleanup"),
    (r"\b(add(?:ed|s)?\s+(?:a\s+)?(?:new\s+)?(?:server|host)|ajout\w*\s+(?:un\s+)?(?:serveur|machine))\b",
     "server.add"),
    (r"\b(remov\w*|decommission\w*|retir\w*)\b", "server.remove"),
))
_SERVER_NOUN = re.compile(r"\b(server|serveur|machine|box|host|hote|vm|node|noeud)s?\b")

# Who: "what did alice do", "commands by bob", "les commandes de bob", "qu'a fait bob", "bob's commands";
# "my commands", "mes commandes", "what did I run", "qu'est-ce que j'ai lancé" → `me` (the asker).
_ME = re.compile(r"\b((?:my|mes) (?:own )?(?:commands?|actions?|history|requests?|commandes?|demandes?)|did i|have i"
                 r"|i (?:ran|did|launched|restarted|started|stopped|deployed)|j\s*'?\s*ai|moi-meme)\b")
_USER = (
    re.compile(r"\bwhat (?:did|has) ([a-z][a-z0-9._-]{1,31}) (?:do|done|run|ran|change|changed|touch|launch)\b"),
    re.compile(r"\b(?:by|par) (?:user |l\s*'?\s*utilisateur )?([a-z][a-z0-9._-]{1,31})\b"),
    re.compile(r"\bqu\s*'?\s*(?:a|est-ce qu\s*'?\s*a) (?:fait|lance|change|touche) ([a-z][a-z0-9._-]{1,31})\b"),
    re.compile(r"\bqu\s*'?\s*est-ce que ([a-z][a-z0-9._-]{1,31}) a (?:fait|lance|change|touche)\b"),
    re.compile(r"\b([a-z][a-z0-9._-]{1,31})\s*'\s*s (?:commands|actions|history)\b"),
)
_NOT_A_USER = frozenset(
    "the a an we you i they he she it someone anybody anyone somebody who what we on web server servers "
    "qui quoi on nous vous il elle ils quelqu un quelqu'un le la les l ce ca personne me moi my mes mon "
    "sudo root cron default date time hour day host server action service heure jour cpu memory mem name"
    " nom".split()
)
# "yesterday" / "hier" (not "since yesterday"): the day before today, as a window of durations ago.
_YESTERDAY = re.compile(r"(?<!since )(?<!depuis )\b(yesterday|hier)\b")
_TODAY = re.compile(r"(?<!since )(?<!depuis )\b(today|aujourd\s*'?\s*hui|aujourdhui|auj|this morning|ce matin)\b")


def history_filters(folded: str, entities: Entities, values: Mapping[str, Any]) -> dict[str, Any]:
    """The filters a history question gives; keys it does not give are absent."""
    out: dict[str, Any] = {}
    action = _action(folded, entities)
    if action is not None:
        out["action"] = action
    if entities.services:
        out["service"] = entities.services[0]
    if len(entities.hosts) == 1 and not entities.groups:
        out["host"] = entities.hosts[0]
    user = _user(folded, entities)
    if user is not None:
        out["user"] = user
    if "since" in values:
        out["since"] = values["since"]
    # Calendar days, as the history answers them (UTC days): "yesterday" is that whole day, not 48h…24h ago.
    if _YESTERDAY.search(folded) and values.get("since") in (None, "24h"):
        out["since"] = "yesterday"
    elif _TODAY.search(folded) and values.get("since") in (None, "24h"):
        out["since"] = "today"
    return out


def _action(folded: str, entities: Entities) -> str | None:
    if _RESTART.search(folded):
        if entities.services:
            return "service.restart"
        if _SERVER_NOUN.search(folded) or re.search(r"\b(reboot\w*)\b", folded):
            return "server.reboot"
        return None
    if re.search(r"\bversions?\b", folded):
        return "app.deploy"  # "which version is running in prod?": the last deployment says
    for pattern, action in _ACTION_WORDS:
        if pattern.search(folded):
            return action
    return None


def _user(folded: str, entities: Entities) -> str | None:
    names = {n.lower() for n in (*entities.hosts, *entities.services, *entities.groups, *entities.unknown_hosts)}
    for pattern in _USER:
        m = pattern.search(folded)
        if m and m.group(1) not in _NOT_A_USER and m.group(1) not in names and not m.group(1).isdigit():
            return m.group(1)
    if _ME.search(folded):
        return "me"
    return None


__all__ = ["history_filters"]
