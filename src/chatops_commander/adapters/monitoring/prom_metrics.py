"""Our own metrics in Prometheus format (prometheus-client), on a registry of our own (never the global one).

One `PrometheusMetrics` per container: every app and every test has its own figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LONG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class PrometheusMetrics:
    """The MetricsSink: HTTP latency by route template, commands, fan-out, collector, open alerts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http = Histogram("chatops_http_request_duration_seconds",
                              "HTTP request latency by method, route template and status code.",
                              ("method", "route", "status"), buckets=_HTTP_BUCKETS, registry=r)
        self.commands = Counter("chatops_commands", "Commands run, by action id and outcome.",
                                ("action", "outcome"), registry=r)
        self.fanouts = Histogram("chatops_fanout_duration_seconds", "Duration of one fan-out over its servers.",
                                 buckets=_LONG_BUCKETS, registry=r)
        self.collections = Counter("chatops_collector_collections", "Host collections, by resulting status.",
                                   ("status",), registry=r)
        self.collection_seconds = Histogram("chatops_collector_collection_duration_seconds",
                                            "Time to collect one host (command, parse, store, rules).",
                                            buckets=_LONG_BUCKETS, registry=r)
        self.lag = Histogram("chatops_collector_lag_seconds",
                             "How late a host's collection started after it was due.",
                             buckets=(0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0), registry=r)
        self.last_lag = Gauge("chatops_collector_last_lag_seconds", "Lag of the latest host collection.",
                              registry=r)
        self.failures = Counter("chatops_collector_failures", "Host collections that did not reach the host "
                                "or could not read it.", registry=r)
        self.open_alerts = Gauge("chatops_alerts_open", "Open alerts by severity.", ("severity",), registry=r)
        self.rate_limit_fallbacks = Counter(
            "chatops_rate_limit_fallback", "Rate-limit decisions taken with per-process counters because the "
            "shared store (Redis) was unreachable, by bucket.", ("bucket",), registry=r)
        self.dependency_up = Gauge("chatops_dependency_up", "1 when a dependency answered the latest readiness "
                                   "probe, 0 when not (database, redis).", ("dependency",), registry=r)

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http.labels(method, route, str(status)).observe(seconds)

    def command(self, action: str, outcome: str) -> None:
        """Call once per host result of a command (CLI, chat engine): `outcome` is ok, failed, denied, …"""
        self.commands.labels(action, outcome).inc()

    def fanout(self, seconds: float) -> None:
        self.fanouts.observe(seconds)

    def collection(self, server: str, outcome: str, seconds: float, lag_s: float) -> None:
        self.collections.labels(outcome).inc()
        self.collection_seconds.observe(seconds)
        self.lag.observe(lag_s)
        self.last_lag.set(lag_s)
        if outcome != "online":
            self.failures.inc()

    def set_open_alerts(self, counts: Mapping[str, int]) -> None:
        for severity, n in counts.items():
            self.open_alerts.labels(severity).set(n)

    def rate_limit_fallback(self, bucket: str) -> None:
        self.rate_limit_fallbacks.labels(bucket).inc()

    def set_dependency(self, name: str, up: bool) -> None:
        self.dependency_up.labels(name).set(1 if up else 0)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def value(self, name: str, labels: Mapping[str, str] | None = None) -> float | None:
        """A sample's current value (tests, the benchmark)."""
        return self.registry.get_sample_value(name, dict(labels or {}))
