"""Service-manager detection: one fixed probe per host, parsed into a `Platform` (cached by the caller)."""

from __future__ import annotations

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.platform import Platform, ServiceManager

# A constant script (no user input): prints one word per available manager.
PROBE_SCRIPT = (
    "[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && echo systemd; "
    "command -v supervisorctl >/dev/null 2>&1 && supervisorctl pid >/dev/null 2>&1 && echo supervisor; "
    "command -v service >/dev/null 2>&1 && echo sysv; "
    "command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && echo docker; "
    "true"
)
PROBE = CommandPlan((("sh", "-c", PROBE_SCRIPT),), timeout_s=15)


def parse_probe(stdout: str) -> Platform:
    known = {m.value: m for m in ServiceManager}
    return Platform(frozenset(known[w] for w in stdout.split() if w in known and w != "none"))
