"""The Prometheus metrics source against a real HTTP server on 127.0.0.1 that answers `/api/v1/query` in
Prometheus' JSON format (node_exporter metric names), evaluating the selector subset our query uses
(`{__name__=~"…",instance=~"…"} or node_systemd_unit_state{instance=~"…",name=~"…"}`, anchored regexes).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from chatops_commander import bootstrap
from chatops_commander.adapters.monitoring.prometheus_source import PrometheusSource
from chatops_commander.adapters.monitoring.rules_file import load_rules
from chatops_commander.config import ConfigError
from chatops_commander.domain.monitoring.samples import ServiceState
from chatops_commander.domain.servers import Server, ServerStatus
from chatops_commander.services import monitoring
from chatops_commander.services.monitoring import Collector, CollectorConfig
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal
from tests.conftest import make_settings
from tests.integration.monitoring.conftest import FakeClock

ADMIN = Principal.cli("pytest")  # the alert lists below are everyone's

GiB = 1024**3


def node_series(instance: str, tick: int) -> list[tuple[dict[str, str], float]]:
    """What node_exporter exposes for a 2-CPU host; CPU counters advance with each query (`tick`)."""
    base = {"instance": instance, "job": "node"}
    out: list[tuple[dict[str, str], float]] = [
        ({"__name__": "up", **base}, 1), ({"__name__": "node_load1", **base}, 0.42),
        ({"__name__": "node_load5", **base}, 0.3), ({"__name__": "node_load15", **base}, 0.2),
        ({"__name__": "node_memory_MemTotal_bytes", **base}, 8 * GiB),
        ({"__name__": "node_memory_MemAvailable_bytes", **base}, 6 * GiB),
        ({"__name__": "node_memory_SwapTotal_bytes", **base}, 2 * GiB),
        ({"__name__": "node_memory_SwapFree_bytes", **base}, 1 * GiB),
        ({"__name__": "node_time_seconds", **base}, 1_800_000_000.0),
        ({"__name__": "node_boot_time_seconds", **base}, 1_799_913_600.0),
    ]
    for cpu in ("0", "1"):
        for mode, secs in (("idle", 900.0 + 30 * tick), ("user", 80.0 + 10 * tick), ("system", 20.0 + 10 * tick),
                           ("iowait", 1.0), ("irq", 0.0), ("nice", 0.0), ("softirq", 0.5), ("steal", 0.0)):
            out.append(({"__name__": "node_cpu_seconds_total", "cpu": cpu, "mode": mode, **base}, secs))
    for mount, fstype, size, free, avail in (("/", "ext4", 100 * GiB, 40 * GiB, 35 * GiB),
                                             ("/data", "xfs", 10 * GiB, 0.5 * GiB, 0.5 * GiB),
                                             ("/proc", "proc", 1, 1, 1)):
        labels = {"device": f"/dev/{mount.strip('/') or 'root'}", "fstype": fstype, "mountpoint": mount, **base}
        out += [({"__name__": "node_filesystem_size_bytes", **labels}, size),
                ({"__name__": "node_filesystem_free_bytes", **labels}, free),
                ({"__name__": "node_filesystem_avail_bytes", **labels}, avail)]
    for unit, active in (("nginx.service", "active"), ("postgresql.service", "failed"), ("ssh.service", "active")):
        for state in ("active", "activating", "deactivating", "failed", "inactive"):
            out.append(({"__name__": "node_systemd_unit_state", "name": unit, "state": state, "type": "simple",
                         **base}, 1.0 if state == active else 0.0))
    out.append(({"__name__": "node_network_receive_bytes_total", "device": "eth0", **base}, 123.0))  # not asked
    return out


_SELECTOR = re.compile(r'\s*(\w*)\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}\s*')
_MATCHER = re.compile(r'(\w+)(=~|=)"((?:[^"\\]|\\.)*)"')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def evaluate(query: str, data: list[tuple[dict[str, str], float]]) -> list[tuple[dict[str, str], float]]:
    result: list[tuple[dict[str, str], float]] = []
    for part in query.split(" or "):
        m = _SELECTOR.fullmatch(part)
        if m is None:
            raise ValueError(f"unsupported query part {part!r}")
        matchers = [(k, op, _unquote(v)) for k, op, v in _MATCHER.findall(m.group(2))]
        if m.group(1):
            matchers.append(("__name__", "=", m.group(1)))
        for labels, value in data:
            if all((re.fullmatch(v, labels.get(k, "")) if op == "=~" else labels.get(k, "") == v)
                   for k, op, v in matchers):
                result.append((labels, value))
    return result


class FakePrometheus:
    def __init__(self) -> None:
        self.queries: list[str] = []
        self.ticks = 0
        self._server: ThreadingHTTPServer | None = None

    def data(self) -> list[tuple[dict[str, str], float]]:
        return [*node_series("10.0.0.31:9100", self.ticks),
                ({"__name__": "up", "instance": "10.0.0.32:9100", "job": "node"}, 0.0)]

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakePrometheus:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query).get("query", [""])[0]
                outer.queries.append(query)
                try:
                    if url.path != "/api/v1/query":
                        raise LookupError
                    found = evaluate(query, outer.data())
                    outer.ticks += 1
                    body: dict[str, Any] = {"status": "success", "data": {"resultType": "vector", "result": [
                        {"metric": labels, "value": [1_800_000_000.0, repr(float(v))]} for labels, v in found]}}
                    code = 200
                except ValueError as exc:
                    body, code = {"status": "error", "errorType": "bad_data", "error": str(exc)}, 400
                except LookupError:
                    body, code = {"status": "error", "error": "not found"}, 404
                raw = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def prometheus() -> Iterator[FakePrometheus]:
    server = FakePrometheus().start()
    yield server
    server.stop()


async def test_prometheus_figures_feed_samples_status_and_alerts(
    container: bootstrap.Container, prometheus: FakePrometheus,
) -> None:
    async with container.uow() as uow:
        db = await uow.servers.add(Server(name="db-01", hostname="db-01.example.org", ip_address="10.0.0.31",
                                          ssh_user="ops", services=("nginx", "postgresql")))
        down = await uow.servers.add(Server(name="cache-01", hostname="cache-01", ip_address="10.0.0.32",
                                            ssh_user="ops"))
        ghost = await uow.servers.add(Server(name="ghost-01", hostname="ghost-01", ip_address="10.0.0.99",
                                             ssh_user="ops"))
        await uow.commit()
    source = PrometheusSource(prometheus.url)
    clock = FakeClock()
    collector = Collector(container.uow, container.fanout.executor, load_rules(), clock=clock,
                          config=CollectorConfig(source="prometheus"), sources={"prometheus": source})
    try:
        first = await collector.collect(db)
        clock.advance(30)
        obs = await collector.collect(db)
        assert first.reachable and obs.reachable and obs.metrics is not None
        m = obs.metrics
        assert m.load is not None and m.load.one == 0.42 and m.cores == 2
        assert m.memory is not None and m.memory.percent == 25.0 and m.memory.swap_percent == 50.0
        assert [d.mount for d in m.disks] == ["/", "/data"]  # /proc left out
        assert m.uptime_s == 86400.0
        assert m.services == {"nginx": ServiceState.RUNNING, "postgresql": ServiceState.FAILED}
        assert m.cpu_percent == 40.0  # per tick: busy +20 s/cpu of +50 s/cpu
        assert m.missing == ()

        items, _ = await monitoring.list_alerts(container.uow, ADMIN, AlertQuery(resolved=False))
        assert sorted((a.type, a.severity.value, a.labels.get("key")) for a in items) == [
            ("disk_usage", "critical", "/data"), ("service_down", "critical", "postgresql")]
        assert (await collector.collect(down)).problem.endswith("(up == 0)")
        assert "no node_exporter series" in (await collector.collect(ghost)).problem
        async with container.uow() as uow:
            statuses = {s.name: s.status for s in await uow.servers.list() if s.name != "localhost"}
        assert statuses == {"db-01": ServerStatus.ONLINE, "cache-01": ServerStatus.OFFLINE,
                            "ghost-01": ServerStatus.OFFLINE}
        assert 'instance=~"(db\\\\-01\\\\.example\\\\.org|10\\\\.0\\\\.0\\\\.31|db\\\\-01)(:[0-9]+)?"' in \
            prometheus.queries[0]
    finally:
        await source.close()


async def test_prometheus_down_is_an_error_not_a_crash(container: bootstrap.Container) -> None:
    async with container.uow() as uow:
        db = await uow.servers.add(Server(name="db-01", hostname="db-01", ip_address="10.0.0.31", ssh_user="ops"))
        await uow.commit()
    dead = FakePrometheus().start()
    url = dead.url
    dead.stop()  # nothing listens there any more
    source = PrometheusSource(url)
    try:
        obs = await Collector(container.uow, container.fanout.executor, load_rules(), clock=FakeClock(),
                              config=CollectorConfig(source="prometheus"),
                              sources={"prometheus": source}).collect(db)
        assert not obs.reachable and "Prometheus at" in obs.problem
    finally:
        await source.close()


async def test_settings_choose_the_source_per_server(tmp_path: Path, database_url: str,
                                                     prometheus: FakePrometheus) -> None:
    settings = make_settings(tmp_path, database_url, metrics_sources={"db-01": "prometheus"},
                             prometheus_url=prometheus.url, monitoring_intervals="web-01=10, db-01=120")
    c = await bootstrap.build(settings)
    try:
        monitor = bootstrap.build_monitor(c)
        collector = monitor.collector
        assert collector.config.intervals == {"web-01": 10.0, "db-01": 120.0}
        web = Server(name="web-01", hostname="web-01", ip_address="10.0.0.11", ssh_user="ops")
        db = Server(name="db-01", hostname="db-01", ip_address="10.0.0.31", ssh_user="ops")
        assert collector.source_for(web).name == "ssh" and collector.source_for(db).name == "prometheus"
        await monitor.stop()
    finally:
        await c.aclose()
    c2 = await bootstrap.build(make_settings(tmp_path, database_url, metrics_source="prometheus"))
    try:
        with pytest.raises(ConfigError, match="CHATOPS_PROMETHEUS_URL"):
            bootstrap.build_monitor(c2)
    finally:
        await c2.aclose()
