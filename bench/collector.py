"""Collector benchmark: CPU used by the collector for N loopback SSH hosts at a 30 s interval, and the time
from a condition (a disk filling over a threshold) to its alert.

    .venv/bin/python -m bench.collector --sizes 50,200 --interval 30 --cycles 3 [--write bench/RESULTS.md]

For each size: the hosts are registered in a fresh embedded database (SQLite), the real `Collector.run()` loop
runs with the pooled SSH executor; the first cycle (new connections) is measured apart, then `--cycles`
intervals in steady state. CPU is this process's user+sys time (collector, SSH client, parsing, SQLite,
rules) over wall time; sshd's CPU is not counted. Then a file fills a small tmpfs (seen by every loopback
host) over a 50 % rule with `for: 0s`: the times from the write to each host's alert are recorded; removing
the file resolves them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench.fleet import bench_fleet
from bench.results import record
from chatops_commander import bootstrap
from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from chatops_commander.adapters.monitoring.prom_metrics import PrometheusMetrics
from chatops_commander.adapters.monitoring.rules_file import load_rules
from chatops_commander.config import Settings
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.notify import EventKind
from chatops_commander.domain.monitoring.rules import rules_from_document
from chatops_commander.domain.servers import Server
from chatops_commander.services.kit import SystemClock
from chatops_commander.services.monitoring import Collector, CollectorConfig

SECRET = "x7Kq2Vb9Lm4Np8Rs3Tw6Yz1Ac5De0Fg_Hj-Ik2Lo9Pu"


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Tmpfs:
    def __init__(self) -> None:
        self.path = Path(f"/tmp/chatops-bench-disk-{uuid.uuid4().hex[:8]}")

    def __enter__(self) -> Path:
        self.path.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(self.path)], check=True)
        return self.path

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False)
        self.path.rmdir()


async def wait_for(count: int, events: list[float], deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while len(events) < count and time.monotonic() < end:  # noqa: ASYNC110  (polling the listener's record)
        await asyncio.sleep(0.05)


async def one_size(servers: list[Server], known_hosts: Path, interval: float, cycles: int, disk: Path) -> dict:
    n = len(servers)
    data = Path(tempfile.mkdtemp(prefix="chatops-bench-collector-"))
    settings = Settings(_env_file=None, data_dir=data, jwt_secret=SECRET,  # type: ignore[call-arg]
                        encryption_key=SECRET, register_localhost=False)
    settings = await asyncio.to_thread(bootstrap.prepare_database, settings)  # Alembic runs its own loop
    container = await bootstrap.build(settings)
    async with container.uow() as uow:
        for s in servers:
            await uow.servers.add(s)
        await uow.commit()
    executor = SSHExecutor(SSHOptions(known_hosts=str(known_hosts), use_agent=False))
    rules = (*load_rules(), *rules_from_document({"rules": [
        {"id": "bench_disk", "kind": "disk_usage", "thresholds": {"warning": 50}, "mounts": [str(disk)]}]}))
    fired: list[float] = []
    resolved: list[float] = []
    t_fill = t_clear = 0.0

    def listener(alert: Alert, kind: EventKind, _server: str | None) -> None:
        if alert.type == "bench_disk" and kind is EventKind.FIRING:
            fired.append(time.monotonic() - t_fill)
        elif alert.type == "bench_disk" and kind is EventKind.RESOLVED:
            resolved.append(time.monotonic() - t_clear)

    metrics = PrometheusMetrics()
    collector = Collector(container.uow, executor, rules, clock=SystemClock(), metrics=metrics, listeners=[listener],
                          config=CollectorConfig(interval_s=interval, refresh_servers_s=3600, compact_every_s=3600))
    stop = asyncio.Event()
    c0, w0 = cpu_self(), time.monotonic()
    task = asyncio.create_task(collector.run(stop, resolution_s=1.0))

    def collected() -> float:
        return sum(metrics.value("chatops_collector_collections_total", {"status": st}) or 0.0
                   for st in ("online", "offline", "error", "unknown"))

    while collected() < n:  # noqa: ASYNC110  (first cycle: cold connections)
        await asyncio.sleep(0.05)
    first_cycle_wall = time.monotonic() - w0
    await asyncio.sleep(max(0.0, interval - (time.monotonic() - w0)))  # the measured window starts after it
    c1, w1, k1 = cpu_self(), time.monotonic(), collected()
    await asyncio.sleep(cycles * interval)  # the steady-state window
    c2, w2, k2 = cpu_self(), time.monotonic(), collected()
    cold_cpu = c1 - c0
    steady = (c2 - c1) / (w2 - w1)

    (disk / "fill").write_bytes(os.urandom(3 * 1024 * 1024))
    t_fill = time.monotonic()
    await wait_for(n, fired, interval * 3)
    (disk / "fill").unlink()
    t_clear = time.monotonic()
    await wait_for(n, resolved, interval * 3)
    stop.set()
    await task
    statuses = {st: metrics.value("chatops_collector_collections_total", {"status": st}) or 0
                for st in ("online", "offline", "error")}
    await executor.close()
    await container.aclose()
    return {
        "n": n, "interval": interval, "first_cycle_s": first_cycle_wall, "cold_cpu_s": cold_cpu,
        "steady_cpu_pct": 100 * steady, "collections": k2 - k1, "window_s": w2 - w1,
        "cpu_ms_per_collection": 1000 * (c2 - c1) / max(1, k2 - k1), "statuses": statuses,
        "fired": sorted(fired), "resolved": sorted(resolved),
    }


def fmt_row(r: dict) -> str:
    f, res = r["fired"], r["resolved"]
    med = statistics.median(f) if f else float("nan")
    mx = max(f) if f else float("nan")
    rmx = max(res) if res else float("nan")
    return (f"| {r['n']} | {r['interval']:g} s | {r['steady_cpu_pct']:.2f} % | {r['cpu_ms_per_collection']:.2f} | "
            f"{r['collections']:.0f} in {r['window_s']:.0f} s | {r['first_cycle_s']:.1f} s / {r['cold_cpu_s']:.1f} s | "
            f"{len(f)}/{r['n']}: min {min(f) if f else float('nan'):.1f} s, median {med:.1f} s, max {mx:.1f} s | "
            f"{len(res)}/{r['n']}, max {rmx:.1f} s |")


async def main(sizes: list[int], interval: float, cycles: int) -> list[dict]:
    fleet = bench_fleet(max(sizes))
    results = []
    try:
        all_servers = fleet.servers()
        with Tmpfs() as disk:
            for n in sizes:
                r = await one_size(all_servers[:n], fleet.known_hosts, interval, cycles, disk)
                print(fmt_row(r), flush=True)
                print(f"  statuses: {r['statuses']}", flush=True)
                results.append(r)
    finally:
        fleet.stop()
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,200")
    ap.add_argument("--interval", type=float, default=30.0)
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    out = asyncio.run(main([int(x) for x in args.sizes.split(",")], args.interval, args.cycles))
    header = ("| N hosts | interval | collector CPU (steady, % of one core) | CPU ms / collection | collections "
              "measured | first cycle wall / CPU (cold connections) | condition → alert | clear → resolved |\n"
              "|---|---|---|---|---|---|---|---|")
    table = "\n".join([header, *(fmt_row(r) for r in out)])
    print(table)
    if args.write:
        section = (f"\n## Collector (bench/collector.py) — {date.today().isoformat()}\n\n"
                   f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, 1-minute load at start "
                   f"{load0:.1f}; loopback OpenSSH hosts from bench/fleet.py; SQLite (embedded); default rules "
                   f"plus a 50 % disk rule on a 4 MiB tmpfs with `for: 0s`.\n\n{table}\n")
        record(section, args.write)
