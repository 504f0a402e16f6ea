"""Every action renders to a shell line that delivers its argv verbatim and runs nothing else.

Each rendered line is executed by a real /bin/sh whose PATH holds only stand-ins that print their
argv as NUL-separated strings; adversarial parameter values (that pass validation) must come out
byte for byte, and no other program may run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.execution import CommandPlan, with_locale
from chatops_commander.skills.base import Platform, ServiceManager, Skill
from chatops_commander.skills.params import DURATION_PATTERN, SERVICE_PATTERN
from chatops_commander.skills.registry import builtin_skills

SM = ServiceManager
HOST_SKILLS = [s for s in builtin_skills() if s.touches_hosts]
PLATFORMS = [Platform(frozenset(m)) for m in ({SM.SYSTEMD, SM.DOCKER}, {SM.SUPERVISOR}, {SM.SYSV})]
META = list(";|&$`'\"\\ \t\n()<>*?[]{}~#!-=%^")
nasty = st.text(alphabet=st.sampled_from(META) | st.characters(blacklist_categories=("Cs",)), max_size=40)

FIELD_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "service": st.from_regex(SERVICE_PATTERN, fullmatch=True) | nasty,
    "container": st.from_regex(SERVICE_PATTERN, fullmatch=True) | nasty,
    "path": st.builds(lambda t: "/" + t, nasty) | nasty,
    "since": st.from_regex(DURATION_PATTERN, fullmatch=True) | nasty,
    "grep": nasty,
    "command": nasty,
    "lines": st.integers(-5, 20_000),
    "limit": st.integers(-5, 200),
    "pid": st.integers(-5, 5_000_000),
    "sort": st.sampled_from(["cpu", "mem", "cpu; reboot"]),
}


def params_for(skill: Skill) -> st.SearchStrategy[dict[str, Any]]:
    fields = skill.params_model.model_fields
    return st.fixed_dictionaries({}, optional={k: FIELD_STRATEGIES[k] for k in fields})


# Shell builtins are not looked up in PATH: a plan must never start with one (its behaviour
# would depend on the remote shell, and a stand-in could not observe it).
SH_BUILTINS = {
    "kill",
    "echo",
    "printf",
    "test",
    "[",
    "true",
    "false",
    "cd",
    "read",
    "exec",
    "eval",
    "set",
    "export",
    "trap",
    "command",
    "type",
    "ulimit",
    "umask",
    "wait",
    "times",
    "shift",
    "getopts",
}


def run_with_stand_ins(plan: CommandPlan, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    assert not {step[0] for step in plan.steps} & SH_BUILTINS
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    for step in plan.steps:
        for prog in (step[0], "sudo"):
            stub = bin_dir / prog
            if not stub.exists():
                stub.write_text(f"#!/bin/sh\nprintf '%s\\0' {prog} \"$@\"\n")
                stub.chmod(0o755)
    return subprocess.run(
        ["/bin/sh", "-c", plan.render()], capture_output=True, timeout=10, env={"PATH": str(bin_dir)}, cwd=tmp
    )


def expected(plan: CommandPlan) -> bytes:
    prefix: tuple[str, ...] = ("sudo", "-n", "--") if plan.sudo else ()
    return b"".join(b"".join(a.encode() + b"\0" for a in prefix + step) for step in plan.steps)


@pytest.mark.parametrize("skill", HOST_SKILLS, ids=lambda s: s.id)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_rendered_command_delivers_every_argument_verbatim_and_nothing_else(
    skill: Skill, data: st.DataObject, tmp_path: Path
) -> None:
    raw = data.draw(params_for(skill))
    try:
        params = skill.validate(raw)
    except ValidationFailed:
        assume(False)
        return
    platform = data.draw(st.sampled_from(PLATFORMS))
    sudo = data.draw(st.booleans())
    plan = skill.plan(params, platform)
    if sudo:
        plan = CommandPlan(plan.steps, sudo=True, continue_on_error=plan.continue_on_error)
    proc = run_with_stand_ins(plan, tmp_path)
    assert proc.stderr == b""
    assert proc.stdout == expected(plan)


@given(name=nasty)
def test_service_names_outside_the_pattern_are_rejected(name: str) -> None:
    import re

    skill = next(s for s in HOST_SKILLS if s.id == "service.restart")
    ok = bool(re.fullmatch(SERVICE_PATTERN, name)) and not name.startswith("-")
    try:
        p = skill.validate({"service": name})
    except ValidationFailed:
        assert not ok
    else:
        assert ok and p.service == name  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("action", "raw"),
    [
        ("service.restart", {"service": "nginx; reboot"}),
        ("service.restart", {"service": "$(id)"}),
        ("service.restart", {"service": "-h"}),
        ("service.restart", {}),
        ("service.restart", {"service": "nginx", "extra": 1}),
        ("service.logs", {"service": "nginx", "lines": 0}),
        ("service.logs", {"service": "nginx", "since": "1 hour"}),
        ("service.logs", {"service": "nginx", "grep": "a\nb"}),
        ("server.disk", {"path": "var"}),
        ("server.disk", {"path": "/var\x00"}),
        ("process.kill", {"pid": 1}),
        ("process.kill", {"pid": "12; reboot"}),
        ("server.processes", {"sort": "io"}),
        ("shell.run", {"command": "   "}),
        ("container.restart", {"container": "a b"}),
    ],
)
def test_invalid_parameters_are_refused_with_the_field_named(action: str, raw: dict[str, Any]) -> None:
    skill = next(s for s in builtin_skills() if s.id == action)
    with pytest.raises(ValidationFailed) as exc:
        skill.validate(raw)
    assert exc.value.problems and "Entrée invalide" in exc.value.localized("fr")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(nasty.filter(lambda a: "\0" not in a), min_size=1, max_size=4))
def test_the_locale_wrapper_delivers_the_same_arguments_under_lc_all_c(args: list[str], tmp_path: Path) -> None:
    plan = CommandPlan((("probe", *args),))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "probe").write_text('#!/bin/sh\nprintf "%s\\0" "LC_ALL=$LC_ALL" "LANG=$LANG" "$@"\n')
    (bin_dir / "probe").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LC_ALL": "fr_FR.UTF-8", "LANG": "fr_FR.UTF-8"}
    proc = subprocess.run(["/bin/sh", "-c", with_locale(plan.render(), "C")], capture_output=True, timeout=10,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"".join(a.encode() + b"\0" for a in ("LC_ALL=C", "LANG=C", *args))


@pytest.mark.parametrize("bad", ["C; reboot", "$(id)", "fr FR", ""])
def test_the_locale_name_is_validated_or_left_out(bad: str) -> None:
    if bad:
        with pytest.raises(ValueError, match="not a locale name"):
            with_locale("true", bad)
    else:
        assert with_locale("true", bad) == "true"
