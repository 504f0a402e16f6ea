# ruff: noqa: E501  (the report template holds long Markdown table rows)
"""Morning check benchmark (seed scenario 1): how long "Bonjour, tout va bien ?" takes over a fleet, with and
without hosts that accept connections but never answer.

The real chat engine, pipeline, catalog and offline parser on the shipped fakes (`services/fakes`: in-memory
store with the collector's samples, a scripted supervisord fleet), so the figure is the engine's own cost
plus the wait for mute hosts, not SSH. Each turn checks every host in parallel; a mute host is given
`live_check_s` and then told from the monitoring's last state with its age.

    .venv/bin/python -m bench.morning_check [--hosts 200] [--mute 10] [--turns 20] [--wait 1.0] [--write bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from bench.results import pct, record
from chatops_commander.domain.monitoring.samples import HostMetrics, Memory, Sample, ServiceState
from chatops_commander.domain.roles import Role
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import FakeClock, FakeFleet, FakeHost, InMemoryStore, RecordingHub
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills


def world(hosts: int, mute: int, wait: float) -> tuple[ChatService, Principal, InMemoryStore]:
    store, fleet, clock = InMemoryStore(), FakeFleet(), FakeClock()
    for i in range(hosts):
        name = f"web-{i:03d}"
        server = store.add_server(Server(name, name, "192.0.2.1", services=("nginx",)))
        fleet.add(FakeHost(name, services={"nginx": True}, hangs=i < mute))
        store.samples.append(Sample(server.id, clock.now() - timedelta(seconds=20),
                                    HostMetrics(cpu_percent=10.0, memory=Memory(8_000_000, 2_000_000, 0, 0),
                                                services={"nginx": ServiceState.RUNNING})))
    user = store.add_user(User("admin@example.com", "admin", Role.ADMIN, language="fr"))
    assert user.id is not None
    registry = Registry(builtin_skills())
    chat = ChatService(store, FanOut(fleet, registry), catalog_specs(registry), clock=clock,  # type: ignore[arg-type]
                       hub=RecordingHub(), live_check_s=wait)
    return chat, Principal(user_id=user.id, email="admin@example.com", role=Role.ADMIN,
                           auth_method=AuthMethod.PASSWORD, language="fr"), store


async def turns(hosts: int, mute: int, n: int, wait: float) -> list[float]:
    chat, admin, _ = world(hosts, mute, wait)
    conv = await chat.create_conversation(admin)
    assert conv.id is not None
    out = []
    for _ in range(n):
        started = time.perf_counter()
        reply = await chat.handle_message(admin, conv.id, "Bonjour, tout va bien ?")
        out.append((time.perf_counter() - started) * 1000)
        assert reply.message is not None and "Bonjour" in reply.message.content, reply.message
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--mute", type=int, default=10)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--wait", type=float, default=1.0, help="live_check_s (the product's default is 5 s)")
    ap.add_argument("--write", default=None)
    args = ap.parse_args()
    rows = []
    for mute in (0, args.mute):
        ms = await turns(args.hosts, mute, args.turns, args.wait)
        rows.append((mute, statistics.median(ms), pct(ms, 95), max(ms)))
        print(f"{args.hosts} hosts, {mute} mute, wait {args.wait:g} s: p50 {rows[-1][1]:.0f} ms, "
              f"p95 {rows[-1][2]:.0f} ms, max {rows[-1][3]:.0f} ms")
    if args.write:
        from pathlib import Path
        table = "\n".join(f"| {args.hosts} | {mute} | {args.wait:g} s | {p50:.0f} ms | {p95:.0f} ms | {mx:.0f} ms |"
                          for mute, p50, p95, mx in rows)
        record(f"""## Morning check (bench/morning_check.py) — {date.today()} {datetime.now(UTC):%H:%M} UTC

"Bonjour, tout va bien ?" through the chat engine on the shipped fakes (no SSH): every host checked in
parallel, each mute host (accepts, never answers) given `live_check_s` then told from the monitoring's last
state with its age. {args.turns} turns per row. Measured on a 2-core machine shared with other jobs: the
integrator re-runs it quietly.

| hosts | mute hosts | live_check_s | p50 | p95 | max |
| --- | --- | --- | --- | --- | --- |
{table}

A mute host costs the wait once per turn, not once per host: the turn is the engine's own cost plus
`live_check_s`, however many hosts are mute.
""", Path(args.write))


if __name__ == "__main__":
    asyncio.run(main())
