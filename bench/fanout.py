"""Fan-out benchmark: `uptime` on N loopback SSH hosts (N = 10, 50, 200), cold and warm.

Compares our FanOut + SSHExecutor with a bare asyncssh script (the floor), the whole CLI
(`chatops exec --on fleet --yes --json -- uptime`, a new process on a registry of N servers: start-up,
database, connections, audit), parallel-ssh and Ansible ad-hoc (both from the bench-only venv
`.bench-venv`). Prints a table of median wall time, ratios, client CPU per host; checks every run
returned N correct outputs.

    .venv/bin/python -m bench.fanout [--reps 3] [--sizes 10,50,200] [--no-ansible] [--no-cli]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import asyncssh
from tests.fleet import Fleet

from bench.fleet import bench_fleet
from bench.results import record
from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.servers import Server
from chatops_commander.services.execution import FanOut
from chatops_commander.skills.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
BENCH_PY = ROOT / ".bench-venv" / "bin" / "python"
ANSIBLE = ROOT / ".bench-venv" / "bin" / "ansible"
UPTIME = CommandPlan((("uptime",),), timeout_s=60)
CONCURRENCY = 100


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def good(text: str) -> bool:
    return "load average" in text


async def measure(fn: Callable[[], Awaitable[int]], child: bool = False) -> tuple[float, float, int]:
    c0 = cpu_children() if child else cpu_self()
    t0 = time.perf_counter()
    ok = await fn()
    wall = time.perf_counter() - t0
    return wall, (cpu_children() if child else cpu_self()) - c0, ok


# ---- ours --------------------------------------------------------------------------------------


def ours_factory(fleet: Fleet) -> tuple[FanOut, SSHExecutor]:
    ex = SSHExecutor(SSHOptions(known_hosts=str(fleet.known_hosts), use_agent=False))
    return FanOut(ex, load_registry(use_entry_points=False), concurrency=CONCURRENCY), ex


async def ours_run(f: FanOut, servers: list[Server]) -> int:
    return len([r async for r in f.run_plan(UPTIME, servers) if r.ok and good(r.stdout)])


# ---- bare asyncssh (the floor) -------------------------------------------------------------------


class Bare:
    def __init__(self, fleet: Fleet) -> None:
        self.kh, self.key = str(fleet.known_hosts), asyncssh.read_private_key(str(fleet.client_key))
        self.conns: list[asyncssh.SSHClientConnection] = []
        self.sem = asyncio.Semaphore(CONCURRENCY)

    async def cold(self, servers: list[Server]) -> int:
        async def one(s: Server) -> bool:
            async with self.sem:
                conn = await asyncssh.connect(
                    s.ip_address,
                    s.port,
                    username=s.ssh_user,
                    known_hosts=self.kh,
                    client_keys=[self.key],
                    agent_path=None,
                    config=None,
                )
                self.conns.append(conn)
                r = await conn.run("uptime")
                return good(str(r.stdout))

        return sum(await asyncio.gather(*(one(s) for s in servers)))

    async def warm(self) -> int:
        async def one(c: asyncssh.SSHClientConnection) -> bool:
            async with self.sem:
                return good(str((await c.run("uptime")).stdout))

        return sum(await asyncio.gather(*(one(c) for c in self.conns)))

    async def close(self) -> None:
        for c in self.conns:
            c.close()
        for c in self.conns:
            await c.wait_closed()
        self.conns = []


# ---- the CLI, as a user runs it ------------------------------------------------------------------------


CHATOPS = Path(sys.executable).with_name("chatops")


def cli_registry(fleet: Fleet, servers: list[Server]) -> dict[str, str]:
    """A data directory whose registry holds `servers` in the group `fleet` (not timed); its environment."""
    data = fleet.root / f"cli-{len(servers)}"
    env = {**os.environ, "CHATOPS_DATA_DIR": str(data), "CHATOPS_SSH_KNOWN_HOSTS": str(fleet.known_hosts),
           "CHATOPS_REGISTER_LOCALHOST": "false", "CHATOPS_MONITORING_ENABLED": "false"}
    inv = fleet.root / f"cli-inventory-{len(servers)}.ini"
    inv.write_text("[fleet]\n" + "".join(
        f"{s.name} ansible_host={s.ip_address} ansible_port={s.port} ansible_user={s.ssh_user} "
        f"ansible_ssh_private_key_file={fleet.client_key}\n" for s in servers))
    subprocess.run([str(CHATOPS), "servers", "import", str(inv)], env=env, check=True, capture_output=True)
    return env


def cli(env: dict[str, str], n: int) -> tuple[float, float, int]:
    c0, t0 = cpu_children(), time.perf_counter()
    out = subprocess.run([str(CHATOPS), "exec", "--on", "fleet", "--yes", "--json", "--", "uptime"],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    ok = sum(1 for r in rows if r.get("outcome") == "ok" and good(str(r.get("stdout", ""))))
    return wall, cpu_children() - c0, ok


# ---- external tools -------------------------------------------------------------------------------


def pssh(fleet: Fleet, servers: list[Server]) -> tuple[float, float, int]:
    cfg = {
        "ports": [s.port for s in servers],
        "user": servers[0].ssh_user,
        "key": str(fleet.client_key),
        "pool": CONCURRENCY,
    }
    c0 = cpu_children()
    out = subprocess.run(
        [str(BENCH_PY), str(ROOT / "bench" / "_pssh_run.py"), json.dumps(cfg)],
        capture_output=True,
        text=True,
        check=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res["wall"], cpu_children() - c0, res["ok"]


def ansible(fleet: Fleet, servers: list[Server]) -> tuple[float, float, int]:
    inv = fleet.root / f"inventory-{len(servers)}.ini"
    inv.write_text(
        "[all]\n"
        + "".join(
            f"{s.name} ansible_host={s.ip_address} ansible_port={s.port} ansible_user={s.ssh_user} "
            f"ansible_ssh_private_key_file={fleet.client_key}\n"
            for s in servers
        )
    )
    env = {
        **os.environ,
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_SSH_ARGS": f"-o UserKnownHostsFile={fleet.known_hosts} -o ControlMaster=auto -o ControlPersist=60s",
        "ANSIBLE_LOCAL_TEMP": str(fleet.root / "ansible-tmp"),
    }
    c0, t0 = cpu_children(), time.perf_counter()
    out = subprocess.run(
        [str(ANSIBLE), "all", "-i", str(inv), "-m", "command", "-a", "uptime", "-f", "50"],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - t0
    return wall, cpu_children() - c0, out.stdout.count("CHANGED | rc=0")


# ---- driver ---------------------------------------------------------------------------------------


async def bench(sizes: list[int], reps: int, with_ansible: bool, with_cli: bool = True) -> list[dict[str, object]]:
    fleet = bench_fleet(max(sizes))
    rows: list[dict[str, object]] = []
    try:
        all_servers = fleet.servers()
        for n in sizes:
            servers = all_servers[:n]
            samples: dict[str, list[tuple[float, float, int]]] = {}
            env = cli_registry(fleet, servers) if with_cli else None
            for _ in range(reps):
                if env is not None:
                    samples.setdefault("chatops exec (CLI)", []).append(cli(env, n))
                f, ex = ours_factory(fleet)
                samples.setdefault("ours cold", []).append(await measure(lambda: ours_run(f, servers)))
                await ours_run(f, servers)
                samples.setdefault("ours warm", []).append(await measure(lambda: ours_run(f, servers)))
                await ex.close()
                bare = Bare(fleet)
                samples.setdefault("asyncssh cold", []).append(await measure(lambda: bare.cold(servers)))
                await bare.warm()
                samples.setdefault("asyncssh warm", []).append(await measure(bare.warm))
                await bare.close()
                if BENCH_PY.exists():
                    samples.setdefault("parallel-ssh", []).append(pssh(fleet, servers))
            if with_ansible and ANSIBLE.exists():
                samples["ansible -f 50"] = [ansible(fleet, servers)]
            for tool, runs in samples.items():
                rows.append(
                    {
                        "n": n,
                        "tool": tool,
                        "wall": statistics.median(r[0] for r in runs),
                        "cpu_ms_per_host": 1000 * statistics.median(r[1] for r in runs) / n,
                        "ok": all(r[2] == n for r in runs),
                        "runs": len(runs),
                    }
                )
                print(f"N={n:<4} {tool:<14} {rows[-1]['wall']:.3f} s  ok={rows[-1]['ok']}", flush=True)
    finally:
        fleet.stop()
    return rows


def table(rows: list[dict[str, object]]) -> str:
    floor = {(r["n"], str(r["tool"]).split()[-1]): r["wall"] for r in rows if str(r["tool"]).startswith("asyncssh")}
    lines = [
        "| N | tool | median wall (s) | vs bare asyncssh (same mode) | client CPU / host (ms) | N correct | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mode = "warm" if "warm" in str(r["tool"]) else "cold"
        base = floor.get((r["n"], mode))
        ratio = f"{float(r['wall']) / float(base):.2f}×" if base else "—"  # type: ignore[arg-type]
        lines.append(
            f"| {r['n']} | {r['tool']} | {float(r['wall']):.3f} | {ratio} | "  # type: ignore[arg-type]
            f"{float(r['cpu_ms_per_host']):.2f} | {'yes' if r['ok'] else 'NO'} | {r['runs']} |"
        )  # type: ignore[arg-type]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,50,200")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-ansible", action="store_true")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--write", default="")
    a = ap.parse_args()
    load_before = f"{os.getloadavg()[0]:.1f}"
    if not a.no_cli:
        from bench.startup import compile_sources

        compile_sources()  # the CLI runs as installed (byte-compiled), even under PYTHONDONTWRITEBYTECODE
    rows = asyncio.run(bench([int(x) for x in a.sizes.split(",")], a.reps, not a.no_ansible, not a.no_cli))
    text = table(rows)
    print(text)
    if a.write:
        head = (
            f"## Fan-out (bench/fanout.py) — {date.today()}\n\n"
            f"Measured {date.today()} on {os.cpu_count()} cores ({platform.machine()}, "
            f"Python {sys.version.split()[0]}, asyncssh {asyncssh.__version__}); "
            f"median of {a.reps} runs (Ansible: 1 run); concurrency {CONCURRENCY} for ours, "
            f"bare asyncssh and parallel-ssh; Ansible `-f 50`. 1-minute load average {load_before} before the run "
            f"and {os.getloadavg()[0]:.1f} after (the 2 cores are shared with other work: a load above 2 means the "
            "figures are stretched, the CLI's CPU-bound start-up most of all; re-run on a quiet machine to compare "
            "with the targets).\n\n"
        )
        record(head + text + "\n\n" + notes(rows) + "\n", Path(a.write))


def notes(rows: list[dict[str, object]]) -> str:
    """How to read the table, and the issue-13 targets at the largest N, computed from this run's rows."""
    n = max(int(str(r["n"])) for r in rows)
    wall = {str(r["tool"]): float(str(r["wall"])) for r in rows if int(str(r["n"])) == n}
    text = (
        "Command: `.venv/bin/python -m bench.fanout --reps 3 --write bench/RESULTS.md` (fleet: loopback OpenSSH "
        "hosts, one user `cc-bench`, 16 ports per sshd, started by `bench/fleet.py`). Tools: \"chatops exec (CLI)\" "
        "= the whole command a user types, `chatops exec --on fleet --yes --json -- uptime`, a new process each "
        "run on an embedded database holding the N servers (start-up, settings, database, authorization, "
        "connections, audit records; the package byte-compiled); \"ours\" = `FanOut.run_plan` + pooled "
        "`SSHExecutor` in this process (known_hosts verified, ed25519 key); \"asyncssh\" = bare "
        "`asyncssh.connect` + `conn.run(\"uptime\")` (the floor); parallel-ssh 2.x and ansible-core from "
        "`.bench-venv` (`pip install ansible-core parallel-ssh`); parallel-ssh's time is measured inside its "
        "process (its interpreter start-up and imports are not counted), the CLI's from outside (they are). The "
        "CLI opens its SSH connections while it authorizes the run and writes its rows ahead (ADR 0012). "
        "Cold = new connections, warm = second run on "
        "pooled connections. Client CPU is this process's user+sys time (children's for the CLI, parallel-ssh "
        "and Ansible), divided by N; it includes nothing of sshd.\n\n"
    )
    cli, pssh, ans, ours = (wall.get(k) for k in ("chatops exec (CLI)", "parallel-ssh", "ansible -f 50",
                                                    "ours cold"))
    if cli and ans and pssh:
        text += (
            f"Targets (issue 13) at N = {n}: the CLI ≥ 10× faster than Ansible → {ans / cli:.1f}× "
            f"{'✅' if ans / cli >= 10 else '❌'}; the CLI faster than parallel-ssh → {cli:.2f} s vs {pssh:.2f} s "
            f"{'✅' if cli < pssh else '❌'}."
        )
        if ours:
            text += (
                f" The library alone (ours cold, {ours:.2f} s) is {ans / ours:.1f}× faster than Ansible and "
                f"{'faster' if ours < pssh else 'slower'} than parallel-ssh; the CLI's extra "
                f"{cli - ours:.2f} s is the command's own work around the fan-out (interpreter start-up and "
                "imports, settings, database, authorization, audit records, closing the connections), "
                "stretched by the machine's load."
            )
    return text


if __name__ == "__main__":
    main()
