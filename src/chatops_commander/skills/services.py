"""service.* actions: status, logs, start, stop, restart, reload on systemd, supervisord or SysV."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.base import Params, Platform, ServiceManager, UnsupportedPlatform
from chatops_commander.skills.logs import LogParams, explain_log, fetch_count, filter_lines
from chatops_commander.skills.params import ServiceName

SM = ServiceManager


class ServiceParams(Params):
    service: ServiceName


class ServiceLogParams(LogParams):
    service: ServiceName


def _manager(platform: Platform) -> ServiceManager:
    m = platform.service_manager
    if m is SM.NONE:
        raise UnsupportedPlatform(
            "I found no service manager (systemd, supervisord, service) on this host",
            "Je n'ai trouvé aucun gestionnaire de services (systemd, supervisord, service) sur ce serveur",
        )
    return m


# ---- argv builders ---------------------------------------------------------------------------


def build_status(p: ServiceParams, platform: Platform) -> CommandPlan:
    m = _manager(platform)
    if m is SM.SYSTEMD:
        argv = ("systemctl", "show", "--no-pager", "--property=ActiveState,SubState,MainPID", "--", p.service)
        return CommandPlan((argv,), timeout_s=15)
    if m is SM.SUPERVISOR:
        return CommandPlan((("supervisorctl", "status", p.service),), timeout_s=15, ok_exit_codes=(0, 3))
    return CommandPlan((("service", p.service, "status"),), timeout_s=15, ok_exit_codes=(0, 3))


def _control(verb: str) -> Any:
    def build(p: ServiceParams, platform: Platform) -> CommandPlan:
        m = _manager(platform)
        if m is SM.SYSTEMD:
            return CommandPlan((("systemctl", verb, "--", p.service),), timeout_s=90)
        if m is SM.SUPERVISOR:
            if verb == "reload":
                return CommandPlan((("supervisorctl", "signal", "HUP", p.service),), timeout_s=60)
            return CommandPlan((("supervisorctl", verb, p.service),), timeout_s=90)
        return CommandPlan((("service", p.service, verb),), timeout_s=90)

    return build


def build_logs(p: ServiceLogParams, platform: Platform) -> CommandPlan:
    m = _manager(platform)
    n = fetch_count(p)
    if m is SM.SYSTEMD:
        argv: tuple[str, ...] = ("journalctl", "--no-pager", "-o", "short-iso", "-n", str(n), "-u", p.service)
        if p.since:
            argv += (f"--since=-{p.since}",)
        return CommandPlan((argv,), timeout_s=30)
    if m is SM.SUPERVISOR:
        return CommandPlan(
            (("supervisorctl", "tail", f"-{min(n * 400, 4_000_000)}", p.service),), timeout_s=30
        )
    return CommandPlan((("tail", "-n", str(n * 20), "/var/log/syslog"),), timeout_s=30)


# ---- parsers -----------------------------------------------------------------------------------

_SUPERVISOR_LINE = re.compile(r"^(\S+)\s+([A-Z]+)\s*(.*)$")


def parse_status(p: ServiceParams, stdout: str, exit_code: int | None) -> dict[str, Any]:
    """→ {"service", "active": bool, "state", "pid"}."""
    text = stdout.strip()
    if "ActiveState=" in text:
        props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        pid = int(props.get("MainPID", "0") or 0)
        state = props.get("ActiveState", "unknown")
        return {
            "service": p.service,
            "active": state == "active",
            "state": state,
            "sub_state": props.get("SubState"),
            "pid": pid or None,
        }
    m = _SUPERVISOR_LINE.match(text.splitlines()[0]) if text else None
    if m and m.group(2) in {"RUNNING", "STOPPED", "STARTING", "BACKOFF", "STOPPING", "EXITED", "FATAL"}:
        pid_m = re.search(r"pid (\d+)", m.group(3))
        out: dict[str, Any] = {
            "service": p.service,
            "active": m.group(2) == "RUNNING",
            "state": m.group(2).lower(),
            "pid": int(pid_m.group(1)) if pid_m else None,
        }
        if m.group(2) in ("STOPPED", "EXITED") and re.fullmatch(r"[A-Z][a-z]{2} +\d{1,2} +\d{1,2}:\d{2} ?[AP]M",
                                                                m.group(3).strip()):
            out["since"] = m.group(3).strip()  # supervisord's "STOPPED   Nov 23 09:00 AM" (the host's clock)
        return out
    if "no such process" in text.lower():
        return {"service": p.service, "active": False, "state": "unknown", "pid": None}
    return {
        "service": p.service,
        "active": exit_code == 0,
        "state": "active" if exit_code == 0 else "inactive",
        "pid": None,
    }


def parse_service_log(p: ServiceLogParams, stdout: str, exit_code: int | None) -> dict[str, Any]:
    lines = filter_lines(p, stdout)
    return {"service": p.service, "lines": lines, "count": len(lines)}


# ---- explanations ------------------------------------------------------------------------------


def explain_status(p: ServiceParams, data: Mapping[str, Any], lang: str) -> str:
    pid = f" (pid {data['pid']})" if data.get("pid") else ""
    if data.get("active"):
        return f"✅ {p.service} est actif{pid}." if lang == "fr" else f"✅ {p.service} is running{pid}."
    state = data.get("state", "inactive")
    if lang == "fr":
        return f"⚠️ {p.service} n'est pas actif (état : {state}). Voulez-vous que je le démarre ?"
    return f"⚠️ {p.service} is not running (state: {state}). Do you want me to start it?"


_DONE = {
    "restart": ("✅ I restarted {s}.", "✅ J'ai redémarré {s}."),
    "start": ("✅ I started {s}.", "✅ J'ai démarré {s}."),
    "stop": ("✅ I stopped {s}.", "✅ J'ai arrêté {s}."),
    "reload": ("✅ I reloaded the configuration of {s}.", "✅ J'ai rechargé la configuration de {s}."),
}


def _explain_done(verb: str) -> Any:
    en, fr = _DONE[verb]

    def explain(p: ServiceParams, data: Mapping[str, Any], lang: str) -> str:
        return (fr if lang == "fr" else en).format(s=p.service)

    return explain


def skills() -> dict[str, dict[str, Any]]:
    """Implementations keyed by action id (attached to the built-in specs by the registry)."""
    impl: dict[str, dict[str, Any]] = {
        "service.status": dict(
            params_model=ServiceParams,
            build=build_status,
            parse=parse_status,
            explain=explain_status,
            needs_platform=True,
        ),
        "service.logs": dict(
            params_model=ServiceLogParams,
            build=build_logs,
            parse=parse_service_log,
            explain=explain_log,
            needs_platform=True,
        ),
    }
    for verb in ("restart", "start", "stop", "reload"):
        impl[f"service.{verb}"] = dict(
            params_model=ServiceParams, build=_control(verb), explain=_explain_done(verb), needs_platform=True
        )
    return impl
