"""Runbooks: the user's deployment steps for one application (a YAML file per application).

```yaml
application: shop
environments: {production: [web-01, web-02]}   # optional; default: the request's targets
steps:
  - name: {en: Pre-checks, fr: Pré-vérifications}
    kind: precheck                 # precheck | backup | pull | rolling | smoke
    run_on: first                  # all | first | rolling (default: rolling for kind rolling, else all)
    commands: [["test", "-d", "/srv/shop"]]   # argv lists; "{version}" and "{host}" are filled in
  - name: {en: Database backup, fr: Sauvegarde de la base}
    kind: backup
    run_on: first
    skip_if_recent: {path: backups, pattern: "shop-*.sql", max_age_hours: 24}   # a recent dump: skip
    commands: [["sh", "backup.sh", "{version}"]]
  - name: {en: Rolling update, fr: Mise à jour progressive}
    kind: rolling
    commands: [["sh", "deploy.sh", "{version}"]]
    health_check: [["curl", "-fsS", "http://127.0.0.1/health"]]
  - name: {en: Smoke tests, fr: Tests de fumée}
    kind: smoke
    script: "curl -fsS http://127.0.0.1/ >/dev/null"   # a fixed script (run with sh -c, no substitution)
rollback:                          # optional: the steps of `app.rollback` (default: the steps above)
  - name: {en: Switch back, fr: Retour à la version}
    kind: rolling
    commands: [["sh", "switch.sh", "{version}"]]
```

A step is skipped on a host when its condition holds there: `skip_if` (argument lists that all
exit 0) or `skip_if_recent` (a file under `path`, relative to the login directory or absolute,
matching `pattern`, modified less than `max_age_hours` ago: "a backup only when none is recent").

Commands are argument vectors (never a shell line built from user text); the only values filled
in are the validated version and the host name, each as a whole argument or inside one. A
`script` is fixed text from the runbook file, run as `sh -c SCRIPT` with the version passed as
`$1`. `parse_runbook` validates a mapping (loaded by the YAML adapter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatops_commander.domain.errors import ValidationFailed

VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
APP_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PLACEHOLDERS = ("{version}", "{host}")


class StepKind(StrEnum):
    PRECHECK = "precheck"
    BACKUP = "backup"
    PULL = "pull"
    ROLLING = "rolling"
    SMOKE = "smoke"


@dataclass(frozen=True)
class RecentFile:
    """`skip_if_recent`: a file under `path` matching `pattern`, younger than `max_age_hours`."""

    path: str
    pattern: str = "*"
    max_age_hours: float = 24.0

    def argv(self) -> tuple[str, ...]:
        minutes = max(1, round(self.max_age_hours * 60))
        return ("find", self.path, "-maxdepth", "1", "-type", "f", "-name", self.pattern,
                "-mmin", f"-{minutes}", "-print", "-quit")


    def listing_argv(self) -> tuple[str, ...]:
        """Every file under `path` matching `pattern`, one "mtime size path" line each (GNU find)."""
        return ("find", self.path, "-maxdepth", "1", "-type", "f", "-name", self.pattern, "-printf",
                "%T@ %s %p\\n")


@dataclass(frozen=True)
class FoundFile:
    """A file a listing found: where, how big, when it was last written (seconds since the epoch)."""

    path: str
    size: int
    mtime: float


def newest_file(listing: str) -> FoundFile | None:
    """The newest file of a `RecentFile.listing_argv()` output (None: no file, or nothing readable)."""
    found: list[FoundFile] = []
    for line in listing.splitlines():
        parts = line.strip().split(" ", 2)
        if len(parts) != 3:
            continue
        try:
            found.append(FoundFile(parts[2], int(parts[1]), float(parts[0])))
        except ValueError:
            continue
    return max(found, key=lambda f: f.mtime, default=None)


class RunOn(StrEnum):
    ALL = "all"  # every host, in parallel
    FIRST = "first"  # once, on the first host
    ROLLING = "rolling"  # one host at a time, health check between hosts


@dataclass(frozen=True)
class RunbookStep:
    name_en: str
    name_fr: str
    kind: StepKind
    run_on: RunOn
    commands: tuple[tuple[str, ...], ...] = ()
    script: str | None = None
    health_check: tuple[tuple[str, ...], ...] = ()
    timeout_s: float = 120.0
    skip_if: tuple[tuple[str, ...], ...] = ()
    skip_if_recent: RecentFile | None = None

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def argv(self, version: str, host: str) -> tuple[tuple[str, ...], ...]:
        """The step's commands for one host (placeholders filled in)."""
        if self.script is not None:
            return (("sh", "-c", self.script, "runbook", version, host),)
        return tuple(tuple(_fill(a, version, host) for a in cmd) for cmd in self.commands)

    def health_argv(self, version: str, host: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(_fill(a, version, host) for a in cmd) for cmd in self.health_check)

    def skip_argv(self, version: str, host: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(_fill(a, version, host) for a in cmd) for cmd in self.skip_if)

    @property
    def conditional(self) -> bool:
        return bool(self.skip_if) or self.skip_if_recent is not None


@dataclass(frozen=True)
class Runbook:
    application: str
    steps: tuple[RunbookStep, ...]
    environments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rollback_steps: tuple[RunbookStep, ...] = ()

    def steps_for(self, rollback: bool) -> tuple[RunbookStep, ...]:
        """The steps of a deploy, or of a rollback (its own section, else the deploy's steps)."""
        return (self.rollback_steps or self.steps) if rollback else self.steps

    def hosts_for(self, environment: str | None, default: Sequence[str]) -> tuple[str, ...]:
        if environment and environment in self.environments:
            return self.environments[environment]
        return tuple(default)


def _fill(arg: str, version: str, host: str) -> str:
    return arg.replace("{version}", version).replace("{host}", host)


def check_version(version: str) -> str:
    if not VERSION_RE.match(version or ""):
        raise ValidationFailed([("version", "must be letters, digits, '.', '_', '+' or '-' (at most 64)")])
    return version


def _argv_list(value: Any, where: str, problems: list[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(c, list) and c and all(isinstance(a, str) and a for a in c) for c in value
    ):
        problems.append((where, "must be a list of argument lists, e.g. [[\"systemctl\", \"status\", \"nginx\"]]"))
        return ()
    return tuple(tuple(c) for c in value)


def _name(value: Any, where: str, index: int, problems: list[tuple[str, str]]) -> tuple[str, str]:
    if isinstance(value, str) and value.strip():
        return value.strip(), value.strip()
    if isinstance(value, Mapping) and isinstance(value.get("en"), str) and value.get("en"):
        en = str(value["en"]).strip()
        fr = str(value.get("fr") or en).strip()
        return en, fr
    problems.append((f"{where}.name", "a text or {en: ..., fr: ...}"))
    return f"step {index + 1}", f"étape {index + 1}"


def parse_runbook(data: Any, *, source: str = "runbook") -> Runbook:
    """Validate a runbook mapping; `ValidationFailed` lists every problem (field path, what is wrong)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        raise ValidationFailed([(source, "must be a mapping with `application` and `steps`")])
    app = data.get("application")
    if not isinstance(app, str) or not APP_RE.match(app):
        problems.append(("application", "a name of letters, digits, '.', '_' or '-'"))
    envs: dict[str, tuple[str, ...]] = {}
    raw_envs = data.get("environments") or {}
    if not isinstance(raw_envs, Mapping):
        problems.append(("environments", "a mapping environment → list of host names"))
    else:
        for env, hosts in raw_envs.items():
            if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
                problems.append((f"environments.{env}", "a list of host names"))
            else:
                envs[str(env)] = tuple(hosts)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(("steps", "a non-empty list of steps"))
        raw_steps = []
    steps = _parse_steps(raw_steps, "steps", problems)
    raw_rollback = data.get("rollback")
    rollback: list[RunbookStep] = []
    if raw_rollback is not None:
        if not isinstance(raw_rollback, list) or not raw_rollback:
            problems.append(("rollback", "a non-empty list of steps (or leave it out to reuse `steps`)"))
        else:
            rollback = _parse_steps(raw_rollback, "rollback", problems)
    if problems:
        raise ValidationFailed(problems)
    return Runbook(str(app), tuple(steps), envs, tuple(rollback))


def _recent_file(value: Any, where: str, problems: list[tuple[str, str]]) -> RecentFile | None:
    if value is None:
        return None
    raw_path = value.get("path") if isinstance(value, Mapping) else None
    path = raw_path.strip() if isinstance(raw_path, str) else ""
    if not isinstance(value, Mapping) or not path or path.startswith("-") or "\0" in path or len(path) > 1024:
        problems.append((where, "a mapping {path: DIR, pattern: GLOB, max_age_hours: N} (path relative to the "
                                "login directory or absolute)"))
        return None
    pattern = value.get("pattern", "*")
    if not isinstance(pattern, str) or not pattern or pattern.startswith("-") or "/" in pattern:
        problems.append((f"{where}.pattern", "a file name pattern such as \"shop-*.sql\" (no '/')"))
        return None
    hours = value.get("max_age_hours", 24)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24 * 366:
        problems.append((f"{where}.max_age_hours", "a number of hours between 0 and 8784"))
        return None
    return RecentFile(path, pattern, float(hours))


def _parse_steps(raw_steps: list[Any], section: str, problems: list[tuple[str, str]]) -> list[RunbookStep]:
    steps: list[RunbookStep] = []
    for i, raw in enumerate(raw_steps):
        where = f"{section}[{i}]"
        if not isinstance(raw, Mapping):
            problems.append((where, "a mapping"))
            continue
        en, fr = _name(raw.get("name"), where, i, problems)
        try:
            kind = StepKind(str(raw.get("kind")))
        except ValueError:
            problems.append((f"{where}.kind", f"one of {', '.join(k.value for k in StepKind)}"))
            continue
        default_on = RunOn.ROLLING if kind is StepKind.ROLLING else RunOn.ALL
        try:
            run_on = RunOn(raw.get("run_on", default_on.value))
        except ValueError:
            problems.append((f"{where}.run_on", "all, first or rolling"))
            continue
        commands = _argv_list(raw.get("commands"), f"{where}.commands", problems)
        script = raw.get("script")
        if script is not None and (not isinstance(script, str) or not script.strip()):
            problems.append((f"{where}.script", "a non-empty text"))
            script = None
        if bool(commands) == bool(script):
            problems.append((where, "give either `commands` or `script`"))
        health = _argv_list(raw.get("health_check"), f"{where}.health_check", problems)
        skip_if = _argv_list(raw.get("skip_if"), f"{where}.skip_if", problems)
        recent = _recent_file(raw.get("skip_if_recent"), f"{where}.skip_if_recent", problems)
        timeout = raw.get("timeout_s", 120)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 3600:
            problems.append((f"{where}.timeout_s", "between 1 and 3600"))
            timeout = 120
        steps.append(RunbookStep(en, fr, kind, run_on, commands, script, health, float(timeout), skip_if, recent))
    return steps
