"""server.* read-only actions: status, disk, memory, load, processes, system log; fleet.health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.base import NoParams, Params, Platform
from chatops_commander.skills.logs import LogParams, explain_log, fetch_count, parse_log
from chatops_commander.skills.params import AbsPath, Limit, SortKey

LOADAVG = ("cat", "/proc/loadavg", "/proc/uptime")
FREE = ("free", "-b")
DF = ("df", "-P", "-k")


class DiskParams(Params):
    path: AbsPath | None = None


class ProcessParams(Params):
    sort: SortKey = "cpu"
    limit: Limit = 10


# ---- parsers (pure) ----------------------------------------------------------------------------


def parse_df(text: str) -> list[dict[str, Any]]:
    """`df -P -k` → [{"filesystem", "mount", "size", "used", "avail", "percent"}] (bytes)."""
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 6 or not parts[1].isdigit():
            continue
        size, used, avail = (int(x) * 1024 for x in parts[1:4])
        mounts.append(
            {
                "filesystem": parts[0],
                "size": size,
                "used": used,
                "avail": avail,
                "percent": int(parts[4].rstrip("%")) if parts[4].rstrip("%").isdigit() else 0,
                "mount": " ".join(parts[5:]),
            }
        )
    return mounts


def parse_free(text: str) -> dict[str, Any]:
    """`free -b` → {"memory": {total, used, free, available, percent}, "swap": {total, used, free}}."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == "Mem:" and len(parts) >= 4:
            total, used, free = int(parts[1]), int(parts[2]), int(parts[3])
            avail = int(parts[6]) if len(parts) >= 7 else free
            out["memory"] = {
                "total": total,
                "used": used,
                "free": free,
                "available": avail,
                "percent": round(100 * (total - avail) / total, 1) if total else 0.0,
            }
        elif parts and parts[0] == "Swap:" and len(parts) >= 4:
            out["swap"] = {"total": int(parts[1]), "used": int(parts[2]), "free": int(parts[3])}
    return out


def parse_loadavg(text: str) -> dict[str, Any]:
    """`cat /proc/loadavg /proc/uptime` → {"load1", "load5", "load15", "uptime_s"}."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 5 and "/" in parts[3]:
            out.update(load1=float(parts[0]), load5=float(parts[1]), load15=float(parts[2]))
        elif len(parts) == 2 and "load1" in out and "uptime_s" not in out:
            out["uptime_s"] = float(parts[0])
    return out


def parse_ps(text: str, limit: int) -> list[dict[str, Any]]:
    """`ps -eo pid,user,pcpu,pmem,rss,comm` → top `limit` processes."""
    procs = []
    for line in text.splitlines()[1:]:
        parts = line.split(None, 5)
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        procs.append(
            {
                "pid": int(parts[0]),
                "user": parts[1],
                "cpu": float(parts[2]),
                "mem": float(parts[3]),
                "rss_kb": int(parts[4]),
                "command": parts[5],
            }
        )
    return procs[:limit]


# ---- builders ----------------------------------------------------------------------------------


def build_status(p: Params, platform: Platform) -> CommandPlan:
    return CommandPlan((LOADAVG, FREE, DF), continue_on_error=True, timeout_s=20)


def build_disk(p: DiskParams, platform: Platform) -> CommandPlan:
    return CommandPlan((DF + (("--", p.path) if p.path else ()),), timeout_s=20)


def build_processes(p: ProcessParams, platform: Platform) -> CommandPlan:
    key = "-pcpu" if p.sort == "cpu" else "-pmem"
    return CommandPlan((("ps", "-eo", "pid,user,pcpu,pmem,rss,comm", f"--sort={key}"),), timeout_s=20)


def build_syslog(p: LogParams, platform: Platform) -> CommandPlan:
    argv: tuple[str, ...] = ("journalctl", "--no-pager", "-o", "short-iso", "-n", str(fetch_count(p)))
    if platform.service_manager.value == "systemd":
        if p.since:
            argv += (f"--since=-{p.since}",)
        return CommandPlan((argv,), timeout_s=30)
    return CommandPlan((("tail", "-n", str(fetch_count(p)), "/var/log/syslog"),), timeout_s=30)


def parse_status(p: Any, stdout: str, exit_code: int | None) -> dict[str, Any]:
    return {**parse_loadavg(stdout), **parse_free(stdout), "mounts": parse_df(stdout)}


# ---- explanations ------------------------------------------------------------------------------


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"


def explain_status(p: Any, d: Mapping[str, Any], lang: str) -> str:
    mem = d.get("memory", {}).get("percent", "?")
    worst = max(d.get("mounts", []), key=lambda m: m["percent"], default=None)
    disk = f"{worst['percent']}% ({worst['mount']})" if worst else "?"
    up_h = int(d.get("uptime_s", 0) // 3600)
    if lang == "fr":
        load = d.get("load1", "?")
        return f"En ligne depuis {up_h} h, charge {load}, mémoire {mem} %, disque le plus plein {disk}."
    return f"Up {up_h} h, load {d.get('load1', '?')}, memory {mem}%, fullest disk {disk}."


def explain_disk(p: Any, d: Mapping[str, Any], lang: str) -> str:
    mounts = d.get("mounts", [])
    full = [m for m in mounts if m["percent"] >= 90]
    if full:
        names = ", ".join(f"{m['mount']} {m['percent']}%" for m in full)
        return f"⚠️ Presque plein : {names}." if lang == "fr" else f"⚠️ Nearly full: {names}."
    if lang == "fr":
        return f"✅ {len(mounts)} point(s) de montage, aucun au-dessus de 90 %."
    return f"✅ {len(mounts)} mount(s), none above 90%."


def explain_memory(p: Any, d: Mapping[str, Any], lang: str) -> str:
    m = d.get("memory", {})
    if not m:
        return "Je n'ai pas pu lire la mémoire." if lang == "fr" else "I could not read the memory figures."
    if lang == "fr":
        avail, total = _gib(m["available"]), _gib(m["total"])
        return f"Mémoire utilisée à {m['percent']} % ({avail} disponibles sur {total})."
    return f"Memory {m['percent']}% used ({_gib(m['available'])} available of {_gib(m['total'])})."


def explain_load(p: Any, d: Mapping[str, Any], lang: str) -> str:
    l1, l5, l15 = d.get("load1", "?"), d.get("load5", "?"), d.get("load15", "?")
    if lang == "fr":
        return f"Charge moyenne : {l1} (1 min), {l5} (5 min), {l15} (15 min)."
    return f"Load average: {l1} (1 min), {l5} (5 min), {l15} (15 min)."


def explain_processes(p: ProcessParams, d: Mapping[str, Any], lang: str) -> str:
    top = d.get("processes", [])[:3]
    names = ", ".join(f"{x['command']} ({x[p.sort]}%)" for x in top) or "—"
    return f"Les plus gourmands : {names}." if lang == "fr" else f"Top consumers: {names}."


def skills() -> dict[str, dict[str, Any]]:
    return {
        "fleet.health": dict(
            params_model=NoParams, build=build_status, parse=parse_status, explain=explain_status
        ),
        "server.status": dict(
            params_model=NoParams, build=build_status, parse=parse_status, explain=explain_status
        ),
        "server.disk": dict(
            params_model=DiskParams,
            build=build_disk,
            parse=lambda p, out, rc: {"mounts": parse_df(out)},
            explain=explain_disk,
        ),
        "server.memory": dict(
            params_model=NoParams,
            build=lambda p, pl: CommandPlan((FREE,), timeout_s=20),
            parse=lambda p, out, rc: parse_free(out),
            explain=explain_memory,
        ),
        "server.load": dict(
            params_model=NoParams,
            build=lambda p, pl: CommandPlan((LOADAVG,), timeout_s=20),
            parse=lambda p, out, rc: parse_loadavg(out),
            explain=explain_load,
        ),
        "server.processes": dict(
            params_model=ProcessParams,
            build=build_processes,
            parse=lambda p, out, rc: {"processes": parse_ps(out, p.limit)},
            explain=explain_processes,
        ),
        "server.logs": dict(
            params_model=LogParams,
            build=build_syslog,
            parse=parse_log,
            explain=explain_log,
            needs_platform=True,
        ),
    }
