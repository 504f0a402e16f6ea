"""The composite collection command (one per host per interval) and its parser.

The script is a constant: the only variable input are the host's listed service names, passed as
positional arguments (`"$@"`, quoted by `shlex`), already validated by the server registry rules and
re-checked here. The parser never raises: a part it cannot read is left out and named in `missing`.
"""

from __future__ import annotations

import re

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.monitoring.samples import CpuTimes, Disk, HostMetrics, Load, Memory, ServiceState
from chatops_commander.domain.servers import SERVICE_NAME_RE

MARK = "::chatops:"
PARTS = ("load", "cpu", "memory", "disks", "uptime", "cores", "services")

COLLECT_SCRIPT = f"""\
echo '{MARK}load'; cat /proc/loadavg 2>/dev/null
echo '{MARK}cpu'; head -n 1 /proc/stat 2>/dev/null
echo '{MARK}memory'; cat /proc/meminfo 2>/dev/null
echo '{MARK}disks'; df -P -k 2>/dev/null
echo '{MARK}uptime'; cat /proc/uptime 2>/dev/null
echo '{MARK}cores'; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
echo '{MARK}services'
for s in "$@"; do
  case "$s" in -*|'') echo "$s invalid"; continue;; esac
  st=''
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    st=$(systemctl is-active "$s" 2>/dev/null | head -n 1)
  fi
  if [ -z "$st" ] || [ "$st" = unknown ]; then
    if command -v supervisorctl >/dev/null 2>&1; then
      st=$(supervisorctl status "$s" 2>/dev/null | awk 'NR==1 {{print $2}}')
    fi
  fi
  if [ -z "$st" ] && command -v service >/dev/null 2>&1; then
    if service "$s" status >/dev/null 2>&1; then st=active; else st=inactive; fi
  fi
  echo "$s ${{st:-unknown}}"
done
echo '{MARK}end'
exit 0
"""

_STATES = {
    "active": ServiceState.RUNNING, "running": ServiceState.RUNNING, "reloading": ServiceState.RUNNING,
    "activating": ServiceState.RUNNING,
    "inactive": ServiceState.STOPPED, "stopped": ServiceState.STOPPED, "exited": ServiceState.STOPPED,
    "stopping": ServiceState.STOPPED, "deactivating": ServiceState.STOPPED,
    "failed": ServiceState.FAILED, "fatal": ServiceState.FAILED, "backoff": ServiceState.FAILED,
}
_IGNORED_MOUNT_PREFIXES = ("/proc", "/sys", "/dev", "/run/credentials", "/snap/")
_IGNORED_FILESYSTEMS = {"devtmpfs", "udev", "none", "proc", "sysfs", "cgroup", "cgroup2", "shm"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def collection_plan(services: tuple[str, ...] = (), *, timeout_s: float = 20.0) -> CommandPlan:
    """One argv: `sh -c <constant script> chatops-collect <service>...` (invalid names dropped)."""
    names = tuple(s for s in services if SERVICE_NAME_RE.match(s) and not s.startswith("-"))
    return CommandPlan((("sh", "-c", COLLECT_SCRIPT, "chatops-collect", *names),), timeout_s=timeout_s)


def _sections(stdout: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        if line.startswith(MARK):
            name = line[len(MARK):].strip()
            current = out.setdefault(name, []) if name in PARTS else None
            continue
        if current is not None:
            current.append(line)
    return out


def _load(lines: list[str]) -> Load | None:
    fields = lines[0].split() if lines else []
    if len(fields) < 3 or not all(_NUMBER.match(f) for f in fields[:3]):
        return None
    return Load(float(fields[0]), float(fields[1]), float(fields[2]))


def _cpu(lines: list[str]) -> CpuTimes | None:
    fields = lines[0].split() if lines else []
    if len(fields) < 5 or fields[0] != "cpu" or not all(f.isdigit() for f in fields[1:]):
        return None
    values = [int(f) for f in fields[1:9]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values)
    return CpuTimes(busy=total - idle, total=total)


def _memory(lines: list[str]) -> Memory | None:
    info: dict[str, int] = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            info[key.strip()] = int(parts[0])
    total = info.get("MemTotal")
    if not total:
        return None
    available = info.get("MemAvailable")
    if available is None:
        available = info.get("MemFree", 0) + info.get("Buffers", 0) + info.get("Cached", 0)
    swap_total = info.get("SwapTotal", 0)
    swap_free = info.get("SwapFree", swap_total)
    return Memory(total_kb=total, used_kb=max(0, total - available), swap_total_kb=swap_total,
                  swap_used_kb=max(0, swap_total - swap_free))


def _disks(lines: list[str]) -> tuple[Disk, ...] | None:
    if not lines or not lines[0].startswith("Filesystem"):
        return None
    found: dict[str, Disk] = {}
    for line in lines[1:]:
        fields = line.split()
        if len(fields) < 6 or not all(f.isdigit() for f in fields[1:4]):
            continue
        fs, mount = fields[0], " ".join(fields[5:])
        total, used, avail = int(fields[1]), int(fields[2]), int(fields[3])
        if total <= 0 or fs in _IGNORED_FILESYSTEMS or mount.startswith(_IGNORED_MOUNT_PREFIXES):
            continue
        found[mount] = Disk(mount=mount, filesystem=fs, total_kb=total, used_kb=used, available_kb=avail)
    return tuple(found[m] for m in sorted(found))


def _uptime(lines: list[str]) -> float | None:
    fields = lines[0].split() if lines else []
    return float(fields[0]) if fields and _NUMBER.match(fields[0]) else None


def _cores(lines: list[str]) -> int | None:
    text = lines[0].strip() if lines else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


def _services(lines: list[str], expected: tuple[str, ...]) -> dict[str, ServiceState]:
    states: dict[str, ServiceState] = {}
    for line in lines:
        name, _, state = line.strip().partition(" ")
        if name:
            states[name] = _STATES.get(state.strip().lower(), ServiceState.UNKNOWN)
    return {s: states.get(s, ServiceState.UNKNOWN) for s in expected} if expected else states


def parse_collection(stdout: str, services: tuple[str, ...] = ()) -> HostMetrics:
    """Parse the script's output. Never raises; unreadable parts are None/empty and listed in `missing`."""
    try:
        sections = _sections(stdout)
    except Exception:  # defensive: garbage of any kind is "nothing readable"
        sections = {}
    missing: list[str] = []

    def part(name: str, fn: object) -> object:
        try:
            value = fn(sections[name]) if name in sections else None  # type: ignore[operator]
        except Exception:
            value = None
        if value is None:
            missing.append(name)
        return value

    load = part("load", _load)
    cpu = part("cpu", _cpu)
    memory = part("memory", _memory)
    disks = part("disks", _disks)
    uptime = part("uptime", _uptime)
    cores = part("cores", _cores)
    if "services" in sections or not services:
        try:
            svc = _services(sections.get("services", []), services)
        except Exception:
            svc = {s: ServiceState.UNKNOWN for s in services}
    else:
        svc = {s: ServiceState.UNKNOWN for s in services}
        missing.append("services")
    return HostMetrics(
        load=load if isinstance(load, Load) else None,
        cpu=cpu if isinstance(cpu, CpuTimes) else None,
        memory=memory if isinstance(memory, Memory) else None,
        disks=disks if isinstance(disks, tuple) else (),
        uptime_s=uptime if isinstance(uptime, float) else None,
        cores=cores if isinstance(cores, int) else None,
        services=svc,
        missing=tuple(missing),
    )
