"""Alert rules (the model the YAML file is loaded into) and their evaluation on one host's observation."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.monitoring.samples import HostMetrics, ServiceState


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "critical": 2}[self.value]


class RuleKind(StrEnum):
    DISK_USAGE = "disk_usage"  # percent of a mount (thresholds)
    HOST_UNREACHABLE = "host_unreachable"  # the collection could not reach the host
    SERVICE_DOWN = "service_down"  # a listed service is not running
    LOAD_PER_CORE = "load_per_core"  # 1-minute load divided by cores (thresholds)
    MEMORY_USAGE = "memory_usage"  # percent of RAM used (thresholds)


_THRESHOLD_KINDS = {RuleKind.DISK_USAGE, RuleKind.LOAD_PER_CORE, RuleKind.MEMORY_USAGE}
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")


def parse_duration(value: object) -> float:
    """`90`, `"90s"`, `"5m"`, `"1h30m"` → seconds; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or like 30s, 5m, 1h")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    text = str(value).strip()
    match = _DURATION.match(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration like 30s, 5m or 1h")
    h, m, s = (int(g) if g else 0 for g in match.groups())
    return float(h * 3600 + m * 60 + s)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    thresholds: tuple[tuple[Severity, float], ...] = ()  # highest severity first
    severity: Severity = Severity.CRITICAL  # for rules without thresholds
    for_s: float = 0.0
    mounts: tuple[str, ...] = ()  # glob patterns of mounts to watch (disk); empty = all
    exclude_mounts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # only servers with one of these tags; empty = all
    enabled: bool = True

    def applies_to(self, server_tags: Sequence[str]) -> bool:
        return self.enabled and (not self.tags or any(t in server_tags for t in self.tags))

    def level(self, value: float) -> tuple[Severity, float] | None:
        for severity, limit in self.thresholds:
            if value > limit:
                return severity, limit
        return None

    def watches(self, mount: str) -> bool:
        if any(fnmatch.fnmatchcase(mount, p) for p in self.exclude_mounts):
            return False
        return not self.mounts or any(fnmatch.fnmatchcase(mount, p) for p in self.mounts)


def rule_from_mapping(data: Mapping[str, Any], where: str = "rule") -> Rule:
    """Build a rule from plain data (a YAML mapping); raise ValidationFailed naming every problem."""
    problems: list[tuple[str, str]] = []
    rule_id = str(data.get("id", ""))
    if not _RULE_ID.match(rule_id):
        problems.append((f"{where}.id", "must be 1-50 lowercase letters, digits, '_', '.', '-'"))
    try:
        kind = RuleKind(str(data.get("kind", "")))
    except ValueError:
        problems.append((f"{where}.kind", f"must be one of {', '.join(k.value for k in RuleKind)}"))
        kind = RuleKind.HOST_UNREACHABLE
    thresholds: list[tuple[Severity, float]] = []
    raw_thresholds = data.get("thresholds") or {}
    if not isinstance(raw_thresholds, Mapping):
        problems.append((f"{where}.thresholds", "must map a severity to a number"))
        raw_thresholds = {}
    for sev, limit in raw_thresholds.items():
        try:
            thresholds.append((Severity(str(sev)), float(limit)))
        except (ValueError, TypeError):
            problems.append((f"{where}.thresholds.{sev}", "must be info|warning|critical: <number>"))
    if kind in _THRESHOLD_KINDS and not thresholds and not problems:
        problems.append((f"{where}.thresholds", f"{kind.value} needs at least one threshold"))
    thresholds.sort(key=lambda t: (-t[0].rank, -t[1]))
    try:
        severity = Severity(str(data.get("severity", "critical")))
    except ValueError:
        problems.append((f"{where}.severity", "must be info, warning or critical"))
        severity = Severity.CRITICAL
    try:
        for_s = parse_duration(data.get("for", 0))
    except ValueError as exc:
        problems.append((f"{where}.for", str(exc)))
        for_s = 0.0
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("mounts", "exclude_mounts", "tags"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append((f"{where}.{key}", "must be a list of strings"))
            value = []
        lists[key] = tuple(value)
    unknown = set(data) - {"id", "kind", "thresholds", "severity", "for", "mounts", "exclude_mounts", "tags",
                           "enabled", "description"}
    problems.extend((f"{where}.{k}", "unknown field") for k in sorted(unknown))
    if problems:
        raise ValidationFailed(problems)
    return Rule(id=rule_id, kind=kind, thresholds=tuple(thresholds), severity=severity, for_s=for_s,
                mounts=lists["mounts"], exclude_mounts=lists["exclude_mounts"], tags=lists["tags"],
                enabled=bool(data.get("enabled", True)))


def rules_from_document(doc: object) -> tuple[Rule, ...]:
    """`{"rules": [...]}` → rules; ids must be unique."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rules"), list):
        raise ValidationFailed([("rules", "the file must contain `rules:` followed by a list")])
    rules: list[Rule] = []
    problems: list[tuple[str, str]] = []
    for i, item in enumerate(doc["rules"]):
        if not isinstance(item, Mapping):
            problems.append((f"rules[{i}]", "must be a mapping"))
            continue
        try:
            rules.append(rule_from_mapping(item, f"rules[{i}]"))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            problems.append(("rules", f"duplicate id {r.id!r}"))
        seen.add(r.id)
    if problems:
        raise ValidationFailed(problems)
    return tuple(rules)


@dataclass(frozen=True)
class Finding:
    """A rule whose condition holds on a host now (`key` tells which mount/service, "" otherwise)."""

    rule_id: str
    key: str
    severity: Severity
    message: str
    message_fr: str
    value: float | None = None


@dataclass(frozen=True)
class Observation:
    server_name: str
    reachable: bool
    metrics: HostMetrics | None = None
    problem: str = ""  # why it is not reachable (executor message)


def _pct(v: float) -> str:
    return f"{v:.0f}"


def evaluate(rules: Sequence[Rule], obs: Observation, server_tags: Sequence[str] = ()) -> tuple[
        list[Finding], set[str]]:
    """The findings, and the ids of the rules that could be judged (others keep their alerts as they are)."""
    findings: list[Finding] = []
    judged: set[str] = set()
    name = obs.server_name
    for rule in rules:
        if not rule.applies_to(server_tags):
            continue
        if rule.kind is RuleKind.HOST_UNREACHABLE:
            judged.add(rule.id)
            if not obs.reachable:
                why = f": {obs.problem}" if obs.problem else ""
                findings.append(Finding(rule.id, "", rule.severity, f"{name} is unreachable{why}",
                                        f"{name} est injoignable{why}"))
            continue
        m = obs.metrics
        if not obs.reachable or m is None:
            continue
        if rule.kind is RuleKind.DISK_USAGE and "disks" not in m.missing:
            judged.add(rule.id)
            for disk in m.disks:
                hit = rule.level(disk.percent) if rule.watches(disk.mount) else None
                if hit:
                    sev, limit = hit
                    findings.append(Finding(
                        rule.id, disk.mount, sev,
                        f"Disk {disk.mount} on {name} is {_pct(disk.percent)}% full (threshold {_pct(limit)}%)",
                        f"Le disque {disk.mount} de {name} est plein à {_pct(disk.percent)} % "
                        f"(seuil {_pct(limit)} %)", disk.percent))
        elif rule.kind is RuleKind.MEMORY_USAGE and m.memory is not None:
            judged.add(rule.id)
            hit = rule.level(m.memory.percent)
            if hit:
                sev, limit = hit
                findings.append(Finding(
                    rule.id, "", sev,
                    f"Memory on {name} is {_pct(m.memory.percent)}% used (threshold {_pct(limit)}%)",
                    f"La mémoire de {name} est utilisée à {_pct(m.memory.percent)} % (seuil {_pct(limit)} %)",
                    m.memory.percent))
        elif rule.kind is RuleKind.LOAD_PER_CORE and m.load is not None and m.cores:
            judged.add(rule.id)
            ratio = m.load.one / m.cores
            hit = rule.level(ratio)
            if hit:
                sev, limit = hit
                findings.append(Finding(
                    rule.id, "", sev,
                    f"Load on {name} is {m.load.one:.2f} for {m.cores} cores (over {limit:g} × cores)",
                    f"La charge de {name} est de {m.load.one:.2f} pour {m.cores} cœurs "
                    f"(plus de {limit:g} × cœurs)", round(ratio, 3)))
        elif rule.kind is RuleKind.SERVICE_DOWN and "services" not in m.missing:
            judged.add(rule.id)
            for svc, state in sorted(m.services.items()):
                if state in (ServiceState.STOPPED, ServiceState.FAILED):
                    findings.append(Finding(
                        rule.id, svc, rule.severity, f"Service {svc} on {name} is {state.value}",
                        f"Le service {svc} de {name} est {_STATE_FR[state]}"))
    return findings, judged


_STATE_FR = {ServiceState.STOPPED: "arrêté", ServiceState.FAILED: "en échec", ServiceState.RUNNING: "actif",
             ServiceState.UNKNOWN: "dans un état inconnu"}
