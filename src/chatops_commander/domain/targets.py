"""Target expressions of the CLI and API: host names, groups/tags and `all`, comma separated.

Exact names (case-insensitive) only: the tolerant matching of free text belongs to the parser.
"""

from __future__ import annotations

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server

ALL = frozenset({"all", "*", "everything", "tous", "partout"})


def resolve_targets(expression: str, inventory: Inventory) -> list[Server]:
    """Servers named by `expression` (e.g. "web-01,db", "production", "all"), in inventory order.

    Raise `ValidationFailed` naming every word that is neither a host nor a group/tag.
    """
    words = [w.strip() for w in expression.replace(" ", ",").split(",") if w.strip()]
    if not words:
        raise ValidationFailed([("targets", "name at least one server, group or `all`")])
    by_name = {s.name.lower(): s for s in inventory.servers}
    groups = {g.lower(): names for g, names in inventory.groups.items()}
    chosen: set[str] = set()
    unknown: list[str] = []
    for word in words:
        key = word.lower()
        if key in ALL:
            chosen.update(by_name)
        elif key in by_name:
            chosen.add(key)
        elif key in groups:
            chosen.update(n.lower() for n in groups[key])
        else:
            unknown.append(word)
    if unknown:
        raise ValidationFailed([("targets", f"{w!r} is neither a server nor a group/tag") for w in unknown])
    return [s for s in inventory.servers if s.name.lower() in chosen]
