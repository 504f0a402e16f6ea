"""Reading a host's figures from a Prometheus server that scrapes node_exporter (pure part).

`host_query()` builds one PromQL instant query for every figure of one host (selected by its `instance`
label: host name, IP or server name, with or without a port); `metrics_from_vector()` turns the answer
(`data.result` of `/api/v1/query`) into the same `HostMetrics` the SSH collection yields.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from chatops_commander.domain.monitoring.samples import CpuTimes, Disk, HostMetrics, Load, Memory, ServiceState

NODE_METRICS = (
    "up", "node_load1", "node_load5", "node_load15", "node_cpu_seconds_total",
    "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_memory_MemFree_bytes",
    "node_memory_Buffers_bytes", "node_memory_Cached_bytes", "node_memory_SwapTotal_bytes",
    "node_memory_SwapFree_bytes", "node_filesystem_size_bytes", "node_filesystem_avail_bytes",
    "node_filesystem_free_bytes", "node_time_seconds", "node_boot_time_seconds",
)
_IGNORED_FS = {"proc", "sysfs", "devtmpfs", "cgroup", "cgroup2", "devpts", "mqueue", "securityfs", "pstore",
               "debugfs", "tracefs", "fusectl", "configfs", "bpf", "autofs", "nsfs", "rpc_pipefs", "squashfs"}
_IGNORED_MOUNT_PREFIXES = ("/proc", "/sys", "/dev", "/run/credentials", "/snap/")
_UNIT_STATES = {"active": ServiceState.RUNNING, "activating": ServiceState.RUNNING,
                "reloading": ServiceState.RUNNING, "inactive": ServiceState.STOPPED,
                "deactivating": ServiceState.STOPPED, "failed": ServiceState.FAILED}
Series = tuple[Mapping[str, str], float]


def _promql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _regex_alternatives(values: Iterable[str]) -> str:
    return "|".join(re.escape(v) for v in dict.fromkeys(v for v in values if v))


def instance_regex(names: Sequence[str]) -> str:
    """`(a|b)(:port)?` for the instance label (RE2 accepts Python's escapes of punctuation)."""
    return f"({_regex_alternatives(names)})(:[0-9]+)?"


def unit_name(service: str) -> str:
    return service if "." in service else f"{service}.service"


def host_query(names: Sequence[str], services: Sequence[str] = ()) -> str:
    """One instant query for every figure of the host whose instance label is one of `names`."""
    inst = _promql_string(instance_regex(names))
    query = f'{{__name__=~{_promql_string("|".join(NODE_METRICS))},instance=~{inst}}}'
    if services:
        units = _promql_string(_regex_alternatives(unit_name(s) for s in services))
        query += f" or node_systemd_unit_state{{instance=~{inst},name=~{units}}}"
    return query


def vector_of(result: object) -> list[Series]:
    """`data.result` of an instant vector query → (labels, value); malformed entries are skipped."""
    out: list[Series] = []
    if not isinstance(result, list):
        return out
    for item in result:
        try:
            labels = {str(k): str(v) for k, v in item["metric"].items()}
            out.append((labels, float(item["value"][1])))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            continue
    return out


def metrics_from_vector(series: Sequence[Series], services: Sequence[str] = ()) -> HostMetrics:
    """Never raises; figures not in the answer are None/empty and named in `missing`."""
    one: dict[str, float] = {}
    cpu_modes: dict[str, float] = defaultdict(float)
    cpus: set[str] = set()
    fs: dict[str, dict[str, float]] = defaultdict(dict)
    fs_type: dict[str, tuple[str, str]] = {}
    units: dict[str, ServiceState] = {}
    for labels, value in series:
        name = labels.get("__name__", "")
        if name == "node_cpu_seconds_total":
            cpu_modes[labels.get("mode", "")] += value
            cpus.add(labels.get("cpu", ""))
        elif name.startswith("node_filesystem_"):
            mount = labels.get("mountpoint", "")
            fs[mount][name] = value
            fs_type[mount] = (labels.get("device", ""), labels.get("fstype", ""))
        elif name == "node_systemd_unit_state":
            if value >= 1 and labels.get("state") in _UNIT_STATES:
                units[labels.get("name", "")] = _UNIT_STATES[labels["state"]]
        else:
            one[name] = value
    missing: list[str] = []
    load = (Load(one["node_load1"], one.get("node_load5", 0.0), one.get("node_load15", 0.0))
            if "node_load1" in one else None)
    cpu = None
    if cpu_modes:
        total = sum(cpu_modes.values())
        idle = cpu_modes.get("idle", 0.0) + cpu_modes.get("iowait", 0.0)
        cpu = CpuTimes(busy=round((total - idle) * 100), total=round(total * 100))  # centiseconds ≈ jiffies
    memory = None
    if one.get("node_memory_MemTotal_bytes"):
        total_b = one["node_memory_MemTotal_bytes"]
        avail = one.get("node_memory_MemAvailable_bytes")
        if avail is None:
            avail = sum(one.get(k, 0.0) for k in ("node_memory_MemFree_bytes", "node_memory_Buffers_bytes",
                                                   "node_memory_Cached_bytes"))
        swap_t = one.get("node_memory_SwapTotal_bytes", 0.0)
        swap_f = one.get("node_memory_SwapFree_bytes", swap_t)
        memory = Memory(total_kb=int(total_b // 1024), used_kb=max(0, int((total_b - avail) // 1024)),
                        swap_total_kb=int(swap_t // 1024), swap_used_kb=max(0, int((swap_t - swap_f) // 1024)))
    disks: list[Disk] = []
    for mount, values in sorted(fs.items()):
        device, fstype = fs_type[mount]
        size = values.get("node_filesystem_size_bytes", 0.0)
        if size <= 0 or fstype in _IGNORED_FS or not mount or mount.startswith(_IGNORED_MOUNT_PREFIXES):
            continue
        free = values.get("node_filesystem_free_bytes", values.get("node_filesystem_avail_bytes", 0.0))
        avail = values.get("node_filesystem_avail_bytes", free)
        disks.append(Disk(mount=mount, filesystem=device or fstype, total_kb=int(size // 1024),
                          used_kb=max(0, int((size - free) // 1024)), available_kb=int(avail // 1024)))
    uptime = (one["node_time_seconds"] - one["node_boot_time_seconds"]
              if "node_time_seconds" in one and "node_boot_time_seconds" in one else None)
    cores = len(cpus) if cpus else None
    svc = {s: units.get(unit_name(s), ServiceState.UNKNOWN) for s in services}
    present: dict[str, object] = {"load": load, "cpu": cpu, "memory": memory, "uptime": uptime, "cores": cores}
    missing.extend(part for part, value in present.items() if value is None)
    if not fs:
        missing.append("disks")
    if services and not units:
        missing.append("services")
    return HostMetrics(load=load, cpu=cpu, memory=memory, disks=tuple(disks), uptime_s=uptime, cores=cores,
                       services=svc, missing=tuple(missing))


def is_down(series: Sequence[Series]) -> bool:
    """Prometheus scraped the host's exporter and failed (`up == 0`) and has no node figures."""
    ups = [v for labels, v in series if labels.get("__name__") == "up"]
    return bool(ups) and all(v == 0 for v in ups) and all(
        labels.get("__name__") == "up" for labels, _ in series)
