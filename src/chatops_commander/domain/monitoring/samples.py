"""Metric samples of one host at one time (what the composite collection command yields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ServiceState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Load:
    one: float
    five: float
    fifteen: float


@dataclass(frozen=True)
class CpuTimes:
    """Cumulative jiffies from /proc/stat (all CPUs): `busy` and `total`."""

    busy: int
    total: int


def cpu_percent(previous: CpuTimes | None, current: CpuTimes | None) -> float | None:
    """Busy share between two readings, or None without two increasing readings."""
    if previous is None or current is None:
        return None
    d_total = current.total - previous.total
    d_busy = current.busy - previous.busy
    if d_total <= 0 or d_busy < 0:
        return None
    return round(min(100.0, 100.0 * d_busy / d_total), 2)


@dataclass(frozen=True)
class Memory:
    total_kb: int
    used_kb: int
    swap_total_kb: int
    swap_used_kb: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.used_kb / self.total_kb, 2) if self.total_kb > 0 else 0.0

    @property
    def swap_percent(self) -> float:
        return round(100.0 * self.swap_used_kb / self.swap_total_kb, 2) if self.swap_total_kb > 0 else 0.0


@dataclass(frozen=True)
class Disk:
    mount: str
    filesystem: str
    total_kb: int
    used_kb: int
    available_kb: int

    @property
    def percent(self) -> float:
        """Like df's Capacity: used / (used + available), so reserved blocks count as full."""
        usable = self.used_kb + self.available_kb
        return round(100.0 * self.used_kb / usable, 2) if usable > 0 else 0.0


@dataclass(frozen=True)
class HostMetrics:
    """One parsed collection. Every part may be missing (None / empty); `missing` names them."""

    load: Load | None = None
    cpu: CpuTimes | None = None
    cpu_percent: float | None = None
    memory: Memory | None = None
    disks: tuple[Disk, ...] = ()
    uptime_s: float | None = None
    cores: int | None = None
    services: dict[str, ServiceState] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sample:
    """A stored sample: metrics of a server at `collected_at` (raw, or a 5-minute average)."""

    server_id: object  # UUID; kept opaque here
    collected_at: datetime
    metrics: HostMetrics
    resolution: str = "raw"  # "raw" | "5m"

    @property
    def disk_max_percent(self) -> float | None:
        return max((d.percent for d in self.metrics.disks), default=None)
