"""The composite collection command and its parser: real output, garbage, missing parts."""

from __future__ import annotations

import subprocess

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.monitoring.collection import COLLECT_SCRIPT, collection_plan, parse_collection
from chatops_commander.domain.monitoring.samples import CpuTimes, ServiceState, cpu_percent

SAMPLE = """\
::chatops:load
0.52 0.58 0.59 1/467 12345
::chatops:cpu
cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0
::chatops:memory
MemTotal:        8000000 kB
MemFree:          500000 kB
MemAvailable:    2000000 kB
SwapTotal:       1000000 kB
SwapFree:         750000 kB
::chatops:disks
Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/sda1         10000000   8500000   1000000      90% /
tmpfs               100000         0    100000       0% /dev/shm
/dev/sdb1          2000000    100000   1900000       5% /mnt/my data
::chatops:uptime
350735.47 234388.90
::chatops:cores
4
::chatops:services
nginx active
postgresql failed
redis RUNNING
::chatops:end
"""


def test_parses_every_part() -> None:
    m = parse_collection(SAMPLE, ("nginx", "postgresql", "redis", "ghost"))
    assert m.missing == ()
    assert m.load is not None and m.load.one == 0.52 and m.load.fifteen == 0.59
    assert m.cores == 4
    assert m.memory is not None and m.memory.used_kb == 6_000_000 and m.memory.percent == 75.0
    assert m.memory.swap_used_kb == 250_000
    assert [d.mount for d in m.disks] == ["/", "/mnt/my data"]  # /dev/shm ignored, spaces kept
    assert m.disks[0].percent == round(100 * 8_500_000 / 9_500_000, 2)
    assert m.uptime_s == 350735.47
    assert m.services == {"nginx": ServiceState.RUNNING, "postgresql": ServiceState.FAILED,
                          "redis": ServiceState.RUNNING, "ghost": ServiceState.UNKNOWN}
    assert m.cpu is not None and m.cpu.total > m.cpu.busy > 0


def test_missing_and_broken_parts_are_named_not_raised() -> None:
    text = SAMPLE.replace("0.52 0.58 0.59", "x y z").replace("::chatops:cores\n4\n", "")
    m = parse_collection(text)
    assert m.load is None and m.cores is None
    assert set(m.missing) == {"load", "cores"}
    assert m.memory is not None


@given(st.text(max_size=2000))
def test_garbage_never_raises(text: str) -> None:
    m = parse_collection(text, ("nginx",))
    assert set(m.missing) <= {"load", "cpu", "memory", "disks", "uptime", "cores", "services"}


@given(st.lists(st.sampled_from([*SAMPLE.splitlines(), "::chatops:disks", "garbage 1 2", ""]), max_size=60))
def test_shuffled_lines_never_raise(lines: list[str]) -> None:
    parse_collection("\n".join(lines))


def test_cpu_percent_needs_two_increasing_readings() -> None:
    assert cpu_percent(None, CpuTimes(1, 2)) is None
    assert cpu_percent(CpuTimes(100, 1000), CpuTimes(150, 1100)) == 50.0
    assert cpu_percent(CpuTimes(100, 1000), CpuTimes(100, 1000)) is None


def test_plan_is_one_argv_with_a_constant_script_and_validated_names() -> None:
    plan = collection_plan(("nginx", "bad name; rm -rf /", "-x", "php8.2-fpm"))
    [argv] = plan.steps
    assert argv[:4] == ("sh", "-c", COLLECT_SCRIPT, "chatops-collect")
    assert argv[4:] == ("nginx", "php8.2-fpm")


def test_the_script_runs_here_and_parses() -> None:
    plan = collection_plan(("definitely-not-a-service",))
    out = subprocess.run(["/bin/sh", "-c", plan.render()], capture_output=True, text=True, timeout=30).stdout
    m = parse_collection(out, ("definitely-not-a-service",))
    assert m.missing == ()
    assert m.load is not None and m.memory is not None and m.disks and m.cores
    assert m.services["definitely-not-a-service"] is not ServiceState.RUNNING
