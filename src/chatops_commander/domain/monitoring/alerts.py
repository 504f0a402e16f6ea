"""Alerts and their lifecycle: pending (condition true, `for:` not yet elapsed) → open → resolved.

A pure state machine: `decide()` takes the findings of one evaluation, the host's open alerts and the
pending state, and `now`; it returns what to open, what to change, what to resolve and the new pending
state. One open alert per fingerprint (server + rule + mount/service): deduplicated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from chatops_commander.domain.monitoring.rules import Finding, Rule, Severity


class AlertSource(StrEnum):
    RULES = "rules"
    ALERTMANAGER = "alertmanager"


@dataclass(frozen=True)
class Alert:
    type: str  # the rule id (or the Alertmanager alertname)
    severity: Severity
    message: str
    message_fr: str
    fingerprint: str
    server_id: UUID | None = None
    source: AlertSource = AlertSource.RULES
    resolved: bool = False
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    id: UUID | None = None
    labels: Mapping[str, Any] = field(default_factory=dict)
    value: float | None = None
    resolved_by: str | None = None  # "auto", "alertmanager" or the actor who resolved it
    updated_at: datetime | None = None

    def localized(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message


def fingerprint(server_key: str, rule_id: str, key: str = "") -> str:
    """Stable, at most 255 characters: `rules:<server>:<rule>[:<key>]` (long keys hashed)."""
    if len(key) > 80:
        key = "sha256-" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"rules:{server_key}:{rule_id}" + (f":{key}" if key else "")


@dataclass(frozen=True)
class Change:
    alert_id: UUID
    finding: Finding


@dataclass(frozen=True)
class Decision:
    open: tuple[tuple[str, Finding], ...] = ()  # (fingerprint, finding) to open as new alerts
    change: tuple[Change, ...] = ()  # open alerts whose severity or message changed
    resolve: tuple[UUID, ...] = ()  # open alerts whose condition cleared
    pending: dict[str, datetime] = field(default_factory=dict)  # fingerprint → condition true since


def decide(
    server_key: str,
    findings: Sequence[Finding],
    judged_rules: set[str],
    open_alerts: Sequence[Alert],
    pending: Mapping[str, datetime],
    rules: Mapping[str, Rule],
    now: datetime,
) -> Decision:
    by_fp = {fingerprint(server_key, f.rule_id, f.key): f for f in findings}
    open_by_fp = {a.fingerprint: a for a in open_alerts if not a.resolved and a.source is AlertSource.RULES}
    to_open: list[tuple[str, Finding]] = []
    changes: list[Change] = []
    new_pending: dict[str, datetime] = {}
    for fp, finding in by_fp.items():
        existing = open_by_fp.get(fp)
        if existing is not None:
            if existing.severity is not finding.severity or existing.message != finding.message:
                assert existing.id is not None
                changes.append(Change(existing.id, finding))
            continue
        since = pending.get(fp, now)
        rule = rules.get(finding.rule_id)
        wait = rule.for_s if rule else 0.0
        if (now - since).total_seconds() >= wait:
            to_open.append((fp, finding))
        else:
            new_pending[fp] = since
    resolve = [
        a.id for fp, a in open_by_fp.items()
        if fp not in by_fp and a.type in judged_rules and a.id is not None
    ]
    return Decision(tuple(to_open), tuple(changes), tuple(resolve), new_pending)
