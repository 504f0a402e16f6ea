"""Prometheus Alertmanager webhook (payload version 4) → our alerts: severity, server link, fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from chatops_commander.domain.monitoring.rules import Severity

_SEVERITY = {"critical": Severity.CRITICAL, "page": Severity.CRITICAL, "error": Severity.CRITICAL,
             "high": Severity.CRITICAL, "warning": Severity.WARNING, "warn": Severity.WARNING,
             "medium": Severity.WARNING, "info": Severity.INFO, "informational": Severity.INFO,
             "low": Severity.INFO, "none": Severity.INFO}


@dataclass(frozen=True)
class ExternalAlert:
    status: str  # "firing" | "resolved"
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    fingerprint: str = ""
    generator_url: str = ""

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "alertmanager")

    @property
    def severity(self) -> Severity:
        return _SEVERITY.get(self.labels.get("severity", "").strip().lower(), Severity.WARNING)

    @property
    def instance_host(self) -> str | None:
        """`host`, `host:port`, `[v6]:port` or a URL → the host part (lowercase)."""
        raw = self.labels.get("instance", "").strip()
        if not raw:
            return None
        if "://" in raw:
            raw = raw.split("://", 1)[1].split("/", 1)[0]
        if raw.startswith("["):
            return raw[1:].split("]", 1)[0].lower()
        if raw.count(":") == 1:
            raw = raw.split(":", 1)[0]
        return raw.lower() or None

    @property
    def our_fingerprint(self) -> str:
        basis = self.fingerprint or hashlib.sha256(
            "\x00".join(f"{k}={v}" for k, v in sorted(self.labels.items())).encode()).hexdigest()[:32]
        return f"alertmanager:{basis}"[:255]

    def messages(self) -> tuple[str, str]:
        text = (self.annotations.get("summary") or self.annotations.get("description") or self.name).strip()
        where = f" ({self.labels['instance']})" if self.labels.get("instance") else ""
        return f"Alertmanager: {text}{where}", f"Alertmanager : {text}{where}"
