"""How to look at a service after a state-changing action: one sample of its manager's state, its last logs.

systemd: `systemctl show` ActiveState, SubState, MainPID, NRestarts, ActiveEnterTimestampMonotonic;
supervisord: `supervisorctl status`; SysV: `service NAME status`; Docker: `docker inspect` state, pid,
RestartCount, StartedAt. Pure like every skill: plans and parsers, no I/O.
"""

from __future__ import annotations

import re
from typing import Any

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.verification import ServiceSample
from chatops_commander.skills.platform import Platform, ServiceManager

SM = ServiceManager
SAMPLE_TIMEOUT_S = 10.0
LOG_LINES = 5
DOCKER_STATE = "{{.State.Status}}|{{.State.Restarting}}|{{.RestartCount}}|{{.State.Pid}}|{{.State.StartedAt}}"
_SUPERVISOR = re.compile(r"^(\S+)\s+([A-Z]+)\s*(.*)$")


def subject(action_id: str, params: Any) -> str:
    """The service (or container) an action changes."""
    return str(getattr(params, "container", None) or getattr(params, "service", ""))


def sample_plan(action_id: str, name: str, platform: Platform) -> CommandPlan:
    if action_id.startswith("container."):
        argv: tuple[str, ...] = ("docker", "inspect", "--format", DOCKER_STATE, "--", name)
        return CommandPlan((argv,), timeout_s=SAMPLE_TIMEOUT_S, ok_exit_codes=(0, 1))
    m = platform.service_manager
    if m is SM.SYSTEMD:
        props = "ActiveState,SubState,MainPID,NRestarts,ActiveEnterTimestampMonotonic"
        return CommandPlan((("systemctl", "show", "--no-pager", f"--property={props}", "--", name),),
                           timeout_s=SAMPLE_TIMEOUT_S)
    if m is SM.SUPERVISOR:
        return CommandPlan((("supervisorctl", "status", name),), timeout_s=SAMPLE_TIMEOUT_S, ok_exit_codes=(0, 3))
    return CommandPlan((("service", name, "status"),), timeout_s=SAMPLE_TIMEOUT_S,
                       ok_exit_codes=tuple(range(0, 5)))


def parse_sample(action_id: str, stdout: str, exit_code: int | None) -> ServiceSample:
    text = stdout.strip()
    if action_id.startswith("container."):
        parts = text.splitlines()[0].split("|") if text else []
        if len(parts) < 5 or exit_code != 0:
            return ServiceSample(False, "missing")
        status, restarting, count, pid, started = parts[:5]
        state = "restarting" if restarting == "true" else status
        return ServiceSample(status == "running" and restarting != "true", state,
                             int(pid) if pid.isdigit() and int(pid) > 0 else None,
                             int(count) if count.isdigit() else None, started or None)
    if "ActiveState=" in text:
        props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        state = props.get("ActiveState", "unknown")
        sub = props.get("SubState")
        pid = props.get("MainPID", "0")
        restarts = props.get("NRestarts", "")
        return ServiceSample(state == "active", f"{state}/{sub}" if sub else state,
                             int(pid) if pid.isdigit() and int(pid) > 0 else None,
                             int(restarts) if restarts.isdigit() else None,
                             props.get("ActiveEnterTimestampMonotonic") or None)
    m = _SUPERVISOR.match(text.splitlines()[0]) if text else None
    if m and m.group(2) in {"RUNNING", "STOPPED", "STARTING", "BACKOFF", "STOPPING", "EXITED", "FATAL", "UNKNOWN"}:
        found = re.search(r"pid (\d+)", m.group(3))
        return ServiceSample(m.group(2) == "RUNNING", m.group(2).lower(), int(found.group(1)) if found else None)
    return ServiceSample(exit_code == 0, "running" if exit_code == 0 else f"exit code {exit_code}")


def shared_log(action_id: str, platform: Platform) -> bool:
    """True when `logs_plan` reads a log shared by every service (its lines must be filtered by name)."""
    return not action_id.startswith("container.") and platform.service_manager not in (SM.SYSTEMD, SM.SUPERVISOR)


def logs_plan(action_id: str, name: str, platform: Platform, lines: int = LOG_LINES) -> CommandPlan:
    """The last lines the service (or container) logged, stdout and stderr together."""
    if action_id.startswith("container."):
        argv: tuple[str, ...] = ("docker", "logs", "--tail", str(lines), "--", name)
    elif platform.service_manager is SM.SYSTEMD:
        argv = ("journalctl", "--no-pager", "-o", "cat", "-n", str(lines), "-u", name)
    elif platform.service_manager is SM.SUPERVISOR:
        argv = ("supervisorctl", "tail", f"-{lines * 400}", name)
    else:
        argv = ("tail", "-n", str(lines * 20), "/var/log/syslog")
    return CommandPlan((argv,), timeout_s=SAMPLE_TIMEOUT_S, continue_on_error=True, ok_exit_codes=(0, 1, 2, 3))


def last_lines(stdout: str, stderr: str, *, contains: str | None = None, lines: int = LOG_LINES) -> list[str]:
    """The last non-empty lines (only those naming `contains`, for a shared log such as syslog)."""
    kept = [ln.strip() for ln in (stdout + "\n" + stderr).splitlines() if ln.strip()]
    if contains:
        kept = [ln for ln in kept if contains in ln]
    return [ln[:300] for ln in kept[-lines:]]
