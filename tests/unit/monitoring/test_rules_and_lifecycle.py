"""Rules (YAML model, evaluation) and the alert lifecycle state machine, with an injected `now`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.monitoring.alerts import Alert, decide, fingerprint
from chatops_commander.domain.monitoring.rules import (
    Observation,
    Severity,
    evaluate,
    parse_duration,
    rules_from_document,
)
from chatops_commander.domain.monitoring.samples import Disk, HostMetrics, Load, Memory, ServiceState

RULES = rules_from_document({"rules": [
    {"id": "disk", "kind": "disk_usage", "thresholds": {"warning": 80, "critical": 90}, "for": "0s",
     "exclude_mounts": ["/boot*"]},
    {"id": "unreachable", "kind": "host_unreachable", "severity": "critical", "for": "1m"},
    {"id": "svc", "kind": "service_down", "severity": "critical"},
    {"id": "load", "kind": "load_per_core", "thresholds": {"warning": 2}, "for": "5m"},
    {"id": "mem", "kind": "memory_usage", "thresholds": {"warning": 90}},
]})
BY_ID = {r.id: r for r in RULES}
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def metrics(disk_pct: float = 10, load: float = 0.1, cores: int = 2, mem_pct: float = 10,
            services: dict[str, ServiceState] | None = None) -> HostMetrics:
    used = int(disk_pct * 1000)
    return HostMetrics(load=Load(load, load, load), cores=cores, memory=Memory(100_000, int(mem_pct * 1000), 0, 0),
                       disks=(Disk("/", "/dev/sda1", 100_000, used, 100_000 - used),
                              Disk("/boot", "/dev/sda0", 100, 99, 1)),
                       services=services or {})


def test_parse_duration() -> None:
    assert parse_duration("5m") == 300 and parse_duration("1h30m") == 5400 and parse_duration(45) == 45
    for bad in ("5 minutes", "", "-3", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_bad_rules_file_names_every_problem() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules_from_document({"rules": [{"id": "Bad Id", "kind": "nope", "for": "soon", "extra": 1},
                                       {"id": "d", "kind": "disk_usage"}]})
    fields = {f for f, _ in exc.value.problems}
    assert {"rules[0].id", "rules[0].kind", "rules[0].for", "rules[0].extra", "rules[1].thresholds"} <= fields


def test_evaluation_levels_and_messages_in_both_languages() -> None:
    obs = Observation("web-01", True, metrics(disk_pct=93, load=5, cores=2, mem_pct=95,
                                              services={"nginx": ServiceState.STOPPED}))
    findings, judged = evaluate(RULES, obs)
    by_rule = {(f.rule_id, f.key): f for f in findings}
    assert by_rule[("disk", "/")].severity is Severity.CRITICAL
    assert ("disk", "/boot") not in by_rule  # excluded
    assert "93%" in by_rule[("disk", "/")].message and "93 %" in by_rule[("disk", "/")].message_fr
    assert by_rule[("load", "")].severity is Severity.WARNING
    assert by_rule[("mem", "")].severity is Severity.WARNING
    assert "arrêté" in by_rule[("svc", "nginx")].message_fr
    assert judged == {"disk", "unreachable", "svc", "load", "mem"}


def test_unreachable_judges_only_reachability() -> None:
    findings, judged = evaluate(RULES, Observation("db-1", False, None, "connection refused"))
    assert [(f.rule_id, f.severity) for f in findings] == [("unreachable", Severity.CRITICAL)]
    assert "injoignable" in findings[0].message_fr
    assert judged == {"unreachable"}


def _apply(decision, open_alerts: list[Alert], now: datetime) -> list[Alert]:  # type: ignore[no-untyped-def]
    alerts = [a for a in open_alerts if a.id not in decision.resolve]
    for fp, f in decision.open:
        alerts.append(Alert(type=f.rule_id, severity=f.severity, message=f.message, message_fr=f.message_fr,
                            fingerprint=fp, id=uuid.uuid4(), created_at=now))
    return alerts


def test_lifecycle_pending_open_dedup_escalate_resolve() -> None:
    server = "srv-1"
    open_alerts: list[Alert] = []
    pending: dict[str, datetime] = {}
    # load over 2 × cores: pending for 5 minutes, then open
    for minute in range(0, 6):
        now = T0 + timedelta(minutes=minute)
        f, judged = evaluate(RULES, Observation(server, True, metrics(load=5)))
        d = decide(server, f, judged, open_alerts, pending, BY_ID, now)
        open_alerts, pending = _apply(d, open_alerts, now), d.pending
        assert bool(open_alerts) is (minute >= 5), minute
    assert open_alerts[0].fingerprint == fingerprint(server, "load")
    # still true: deduplicated (nothing new)
    f, judged = evaluate(RULES, Observation(server, True, metrics(load=5)))
    d = decide(server, f, judged, open_alerts, pending, BY_ID, T0 + timedelta(minutes=7))
    assert d.open == () and d.resolve == () and d.change == ()
    # disk 85 → warning opens at once (for: 0), 95 → changed to critical
    f, judged = evaluate(RULES, Observation(server, True, metrics(load=5, disk_pct=85)))
    d = decide(server, f, judged, open_alerts, pending, BY_ID, T0 + timedelta(minutes=8))
    open_alerts = _apply(d, open_alerts, T0)
    assert [x[1].severity for x in d.open] == [Severity.WARNING]
    f, judged = evaluate(RULES, Observation(server, True, metrics(load=5, disk_pct=95)))
    d = decide(server, f, judged, open_alerts, pending, BY_ID, T0 + timedelta(minutes=9))
    assert [c.finding.severity for c in d.change] == [Severity.CRITICAL]
    # host unreachable: metric alerts are kept (not judged), unreachable pending for 1 minute
    f, judged = evaluate(RULES, Observation(server, False))
    d = decide(server, f, judged, open_alerts, pending, BY_ID, T0 + timedelta(minutes=10))
    assert d.resolve == () and d.open == () and list(d.pending) == [fingerprint(server, "unreachable")]
    # back and healthy: everything resolves, the pending unreachable is dropped
    f, judged = evaluate(RULES, Observation(server, True, metrics()))
    d = decide(server, f, judged, open_alerts, d.pending, BY_ID, T0 + timedelta(minutes=11))
    assert set(d.resolve) == {a.id for a in open_alerts} and d.pending == {}


def test_load_condition_that_clears_before_for_never_opens() -> None:
    pending: dict[str, datetime] = {}
    for minute, load in enumerate([5, 5, 5, 0.1, 5, 5]):
        f, judged = evaluate(RULES, Observation("s", True, metrics(load=load)))
        d = decide("s", f, judged, [], pending, BY_ID, T0 + timedelta(minutes=minute))
        assert d.open == ()
        pending = d.pending
