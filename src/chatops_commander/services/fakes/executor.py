"""A scripted fleet behind the `Executor` port: supervisord hosts whose services start, stop and report state.

Each `FakeHost` answers the commands the built-in skills send (the service-manager probe,
`supervisorctl status|start|stop|restart|tail`, `df -P -k`, `free -b`, `/proc/loadavg`) from its
state, and anything else from `responses` (an argv prefix → exit code and output; default: exit 0,
no output). Every line sent is kept in `sent`, so a test can say exactly what reached a host.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports_execution import OnLine
from chatops_commander.skills.detect import PROBE_SCRIPT

Reply = tuple[int, str]  # exit code, stdout
Responder = Callable[[tuple[str, ...]], Reply | None]


@dataclass
class FakeHost:
    name: str
    services: dict[str, bool] = field(default_factory=dict)  # service → running
    reachable: bool = True
    disk_percent: int = 40
    memory_used_percent: int = 30
    log_lines: tuple[str, ...] = ()
    responses: dict[str, Reply] = field(default_factory=dict)  # "argv prefix" → reply
    fails_to_start: set[str] = field(default_factory=set)  # services that crash right after a start
    hangs: bool = False  # commands never return (until the caller gives up: a cancellation or a deadline)
    sent: list[str] = field(default_factory=list)

    def reply(self, argv: tuple[str, ...]) -> Reply:
        line = shlex.join(argv)
        for prefix, answer in self.responses.items():
            if line.startswith(prefix):
                return answer
        if argv[:2] == ("sh", "-c") and argv[2] == PROBE_SCRIPT:
            return 0, "supervisor\nsysv\n"
        if argv[0] == "supervisorctl" and len(argv) >= 3:
            return self._supervisor(argv[1], argv[-1])
        if argv[0] == "df":
            used = self.disk_percent * 1000
            return 0, ("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                       f"/dev/sda1 100000 {used} {100000 - used} {self.disk_percent}% /\n")
        if argv[0] == "free":
            total, used = 8_000_000_000, 80_000_000 * self.memory_used_percent
            return 0, (f"              total        used        free      shared  buff/cache   available\n"
                       f"Mem:   {total} {used} {total - used} 0 0 {total - used}\n"
                       f"Swap:  0 0 0\n")
        if argv[:2] == ("cat", "/proc/loadavg"):
            return 0, "0.10 0.20 0.30 1/100 4242\n12345.67 23456.78\n"
        if argv[0] in ("journalctl", "tail"):
            return 0, "".join(f"{line}\n" for line in self.log_lines)
        return 0, ""

    def _supervisor(self, verb: str, service: str) -> Reply:
        if service not in self.services:
            return 4, f"{service}: ERROR (no such process)\n"
        if verb == "status":
            if self.services[service]:
                return 0, f"{service}                 RUNNING   pid 4242, uptime 0:10:00\n"
            return 3, f"{service}                 STOPPED   Nov 23 09:00 AM\n"
        if verb in ("start", "restart"):
            self.services[service] = service not in self.fails_to_start
            return 0, f"{service}: started\n"
        if verb == "stop":
            self.services[service] = False
            return 0, f"{service}: stopped\n"
        if verb == "tail":
            return 0, "".join(f"{line}\n" for line in self.log_lines)
        return 0, ""


class FakeFleet:
    """The executor: runs a plan's steps on the named `FakeHost` (unknown names are unreachable)."""

    def __init__(self, hosts: Mapping[str, FakeHost] | None = None) -> None:
        self.hosts: dict[str, FakeHost] = dict(hosts or {})
        self.closed = False
        # Called as a command reaches a host (e.g. to look at what was recorded before it was sent).
        self.before_run: Callable[[Server, CommandPlan], None] | None = None
        self.attempts: list[str] = []  # every host a command was tried on, reachable or not

    def add(self, host: FakeHost) -> FakeHost:
        self.hosts[host.name] = host
        return host

    def sent(self, name: str) -> list[str]:
        return list(self.hosts[name].sent)

    async def run(self, server: Server, plan: CommandPlan, *, on_line: OnLine | None = None) -> RunResult:
        self.attempts.append(server.name)
        host = self.hosts.get(server.name)
        if host is None or not host.reachable:
            return RunResult(server.name, HostOutcome.UNREACHABLE, message="connection refused")
        if self.before_run is not None:
            self.before_run(server, plan)
        host.sent.append(plan.render())
        if host.hangs:
            await asyncio.Event().wait()
        out: list[str] = []
        code = 0
        for argv in plan.steps:
            code, stdout = host.reply(tuple(argv))
            out.append(stdout)
            if code not in plan.ok_exit_codes and not plan.continue_on_error:
                break
        stdout = "".join(out)
        if on_line is not None:
            for line in stdout.splitlines():
                on_line(server.name, "stdout", line)
        outcome = HostOutcome.OK if code in plan.ok_exit_codes else HostOutcome.FAILED
        return RunResult(server.name, outcome, exit_code=code, stdout=stdout, duration_ms=1)

    async def close(self) -> None:
        self.closed = True
