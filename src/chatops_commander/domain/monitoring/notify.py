"""Notifications: the event sent to channels, webhook signatures, routing and the quiet repeat interval."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.rules import Severity

SIGNATURE_HEADER = "X-ChatOps-Signature"


class EventKind(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"
    REPEAT = "repeat"  # still open after the repeat interval


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    channel: str
    event: EventKind
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    alert_id: UUID | None = None
    status_code: int | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    id: UUID | None = None


def event_payload(alert: Alert, kind: EventKind, server_name: str | None, now: datetime) -> dict[str, Any]:
    """The JSON body of a generic webhook delivery (stable field names, both languages)."""
    return {
        "version": "1",
        "event": kind.value,
        "sent_at": now.isoformat(),
        "alert": {
            "id": str(alert.id) if alert.id else None,
            "type": alert.type,
            "severity": alert.severity.value,
            "status": "resolved" if alert.resolved else "open",
            "message": {"en": alert.message, "fr": alert.message_fr},
            "server": server_name,
            "source": alert.source.value,
            "fingerprint": alert.fingerprint,
            "value": alert.value,
            "created_at": alert.created_at.isoformat() if alert.created_at else None,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """`t=<ts>,v1=<hex>` with v1 = HMAC-SHA256(secret, f"{ts}." + body)."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: bytes, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does: parse the header, recompute, compare in constant time, refuse stale times."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    ts = parts.get("t", "")
    if not ts.isdigit() or abs(now - int(ts)) > tolerance_s or "v1" not in parts:
        return False
    expected = sign(secret, int(ts), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts["v1"])


def routed(severity: Severity, channel_severities: Sequence[str]) -> bool:
    """A channel takes the severities it lists (none listed: every severity)."""
    return not channel_severities or severity.value in channel_severities


def due_repeat(last_notified_at: datetime | None, repeat_s: float, now: datetime) -> bool:
    """An open, unchanged alert is sent again only once the quiet repeat interval has passed."""
    return last_notified_at is not None and repeat_s > 0 and (now - last_notified_at).total_seconds() >= repeat_s


def backoff_delays(attempts: int, base_s: float, factor: float = 2.0, cap_s: float = 300.0) -> list[float]:
    """Delays before attempts 2..N: base, base×factor, … capped."""
    return [min(cap_s, base_s * factor**i) for i in range(max(0, attempts - 1))]
