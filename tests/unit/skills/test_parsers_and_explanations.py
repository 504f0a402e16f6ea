"""Output parsers turn real command output into data; explanations exist in English and French."""

from __future__ import annotations

import pytest

from chatops_commander.skills import containers, services, system
from chatops_commander.skills.base import Platform, ServiceManager
from chatops_commander.skills.detect import parse_probe
from chatops_commander.skills.registry import builtin_skills

DF = """Filesystem     1024-blocks     Used Available Capacity Mounted on
overlay          102687672 45678912  51749404      47% /
/dev/sda1           523248     6220    517028       2% /boot/efi
tmpfs              8130048        0   8130048       0% /dev/shm
"""
FREE = """               total        used        free      shared  buff/cache   available
Mem:     16648880128  4130283520  9011736576    12345678  3506860032 12156387328
Swap:     2147479552           0  2147479552
"""
PS = """    PID USER     %CPU %MEM   RSS COMMAND
   1234 www-data 45.0  2.1 34000 nginx: worker
      1 root      0.1  0.0  1200 init
"""


def test_df_becomes_mounts_with_sizes_and_percent() -> None:
    mounts = system.parse_df(DF)
    assert mounts[0] == {
        "filesystem": "overlay",
        "size": 102687672 * 1024,
        "used": 45678912 * 1024,
        "avail": 51749404 * 1024,
        "percent": 47,
        "mount": "/",
    }
    assert [m["mount"] for m in mounts] == ["/", "/boot/efi", "/dev/shm"]


def test_free_becomes_memory_and_swap() -> None:
    d = system.parse_free(FREE)
    assert d["memory"]["total"] == 16648880128 and d["memory"]["available"] == 12156387328
    assert d["swap"] == {"total": 2147479552, "used": 0, "free": 2147479552}
    assert 0 < d["memory"]["percent"] < 100


def test_loadavg_and_uptime() -> None:
    d = system.parse_loadavg("0.52 0.58 0.59 1/389 12345\n350735.47 234388.90\n")
    assert d == {"load1": 0.52, "load5": 0.58, "load15": 0.59, "uptime_s": 350735.47}


def test_ps_keeps_the_top_n_with_commands_containing_spaces() -> None:
    procs = system.parse_ps(PS, limit=1)
    assert procs == [
        {"pid": 1234, "user": "www-data", "cpu": 45.0, "mem": 2.1, "rss_kb": 34000, "command": "nginx: worker"}
    ]


@pytest.mark.parametrize(
    ("out", "code", "active", "pid"),
    [
        ("ActiveState=active\nSubState=running\nMainPID=42\n", 0, True, 42),
        ("ActiveState=inactive\nSubState=dead\nMainPID=0\n", 0, False, None),
        ("nginx                            RUNNING   pid 13287, uptime 0:00:01\n", 0, True, 13287),
        ("nginx                            STOPPED   Jan 01 10:00 AM\n", 3, False, None),
        ("nginx: ERROR (no such process)\n", 4, False, None),
        (" * nginx is running\n", 0, True, None),
        (" * nginx is not running\n", 3, False, None),
    ],
)
def test_service_status_from_every_manager(out: str, code: int, active: bool, pid: int | None) -> None:
    p = services.ServiceParams(service="nginx")
    d = services.parse_status(p, out, code)
    assert d["active"] is active and d["pid"] == pid


def test_docker_ps_json_lines() -> None:
    out = '{"ID":"abc123def4567","Names":"redis","Image":"redis:7","Status":"Up 2 hours","Ports":""}\nnoise\n'
    d = containers.parse_docker_ps(None, out, 0)
    assert d["containers"] == [
        {"id": "abc123def456", "name": "redis", "image": "redis:7", "status": "Up 2 hours", "ports": ""}
    ]


def test_probe_output_becomes_a_platform_preferring_systemd() -> None:
    plat = parse_probe("supervisor\nsysv\ndocker\n")
    assert plat.service_manager is ServiceManager.SUPERVISOR and plat.has_docker
    assert parse_probe("systemd\nsupervisor\n").service_manager is ServiceManager.SYSTEMD
    assert parse_probe("").service_manager is ServiceManager.NONE


def test_service_actions_pick_the_host_manager() -> None:
    skill = next(s for s in builtin_skills() if s.id == "service.restart")
    p = skill.validate({"service": "nginx"})
    renders = {
        m: skill.plan(p, Platform(frozenset({m}))).render()
        for m in (ServiceManager.SYSTEMD, ServiceManager.SUPERVISOR, ServiceManager.SYSV)
    }
    assert renders == {
        ServiceManager.SYSTEMD: "systemctl restart -- nginx",
        ServiceManager.SUPERVISOR: "supervisorctl restart nginx",
        ServiceManager.SYSV: "service nginx restart",
    }


@pytest.mark.parametrize("skill", [s for s in builtin_skills() if s.touches_hosts], ids=lambda s: s.id)
def test_every_explanation_exists_in_english_and_french_in_the_product_tone(skill) -> None:  # type: ignore[no-untyped-def]
    samples = {"service": "nginx", "container": "redis", "pid": 4242, "command": "uptime"}
    params = skill.validate({k: v for k, v in samples.items() if k in skill.params_model.model_fields})
    data = skill.parse(params, DF + FREE + "0.5 0.4 0.3 1/2 3\n100.0 50.0\n", 0)
    en, fr = skill.explain(params, data, "en"), skill.explain(params, data, "fr")
    assert en and fr and en != fr
    assert "🎉" not in en + fr
