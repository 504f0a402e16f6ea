"""Verified outcomes without hosts: samples parsed from real manager output, the verdict judged from them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.verification import Endpoint, ReachCheck, ServiceSample, endpoint_for, judge
from chatops_commander.skills.platform import Platform, ServiceManager
from chatops_commander.skills.verify import last_lines, logs_plan, parse_sample, sample_plan

SYSTEMD = Platform(frozenset({ServiceManager.SYSTEMD}))
SUPERVISOR = Platform(frozenset({ServiceManager.SUPERVISOR}))


def running(pid: int = 42, restarts: int | None = None) -> ServiceSample:
    return ServiceSample(True, "running", pid, restarts)


@pytest.mark.parametrize(("stdout", "code", "active", "state", "pid", "restarts"), [
    ("ActiveState=active\nSubState=running\nMainPID=42\nNRestarts=3\nActiveEnterTimestampMonotonic=99\n", 0,
     True, "active/running", 42, 3),
    ("ActiveState=activating\nSubState=auto-restart\nMainPID=0\nNRestarts=4\n", 0, False, "activating/auto-restart",
     None, 4),
    ("nginx                            RUNNING   pid 4783, uptime 0:00:01\n", 0, True, "running", 4783, None),
    ("nginx                            BACKOFF   Exited too quickly (process log may have details)\n", 3, False,
     "backoff", None, None),
    ("", 3, False, "exit code 3", None, None),
])
def test_manager_output_becomes_a_sample(stdout: str, code: int, active: bool, state: str, pid: int | None,
                                         restarts: int | None) -> None:
    s = parse_sample("service.restart", stdout, code)
    assert (s.active, s.state, s.pid, s.restarts) == (active, state, pid, restarts)


def test_docker_inspect_becomes_a_sample() -> None:
    s = parse_sample("container.restart", "running|true|7|0|2026-11-30T10:00:00Z\n", 0)
    assert not s.active and s.state == "restarting" and s.restarts == 7
    gone = parse_sample("container.restart", "", 1)
    assert not gone.active and gone.state == "missing"


def test_sample_and_log_plans_follow_the_service_manager() -> None:
    assert "NRestarts" in sample_plan("service.restart", "nginx", SYSTEMD).render()
    assert sample_plan("service.restart", "nginx", SUPERVISOR).render() == "supervisorctl status nginx"
    assert "docker inspect" in sample_plan("container.restart", "web", Platform()).render()
    assert logs_plan("service.restart", "nginx", SYSTEMD).render().startswith("journalctl")
    assert last_lines("a\n\nb\nc nginx\n", "d nginx", contains="nginx") == ["c nginx", "d nginx"]


def test_stable_running_samples_and_an_answering_port_are_up() -> None:
    reach = ReachCheck("10.0.0.1:80", True, "accepts connections", 2)
    v = judge("nginx", [running(), running(), running()], reach, window_s=3)
    assert v.ok and "Checked just now" in v.en and "10.0.0.1:80 answers" in v.en and "Vérifié" in v.fr


def test_a_window_with_decimals_is_written_with_a_comma_in_french() -> None:
    up = judge("nginx", [running(), running()], None, window_s=0.25)
    assert "stable over 0.25 s" in up.en and "stable sur 0,25 s" in up.fr
    down = judge("nginx", [running(), ServiceSample(False, "fatal")], None, window_s=1.5)
    assert "1.5 s later" in down.en and "ne tourne pas 1,5 s après" in down.fr


@pytest.mark.parametrize(("samples", "needle"), [
    ([running(1), running(2), running(3)], "main pid changed"),
    ([running(1, 0), running(1, 2)], "restart counter grew"),
    ([running(), ServiceSample(False, "backoff"), running()], "flapping"),
    ([running(), ServiceSample(False, "fatal")], "is not running"),
])
def test_a_crash_loop_or_a_stopped_service_is_not_up(samples: list[ServiceSample], needle: str) -> None:
    v = judge("nginx", samples, None, window_s=3)
    assert not v.ok and needle in v.en and v.fr


def test_a_running_service_whose_port_refuses_is_not_up_and_no_sample_is_not_up() -> None:
    v = judge("nginx", [running()], ReachCheck("h:80", False, "Connection refused"), window_s=1)
    assert not v.ok and "does not answer (Connection refused)" in v.en
    blind = judge("nginx", [], None, window_s=1, unchecked="connection lost")
    assert not blind.ok and "could not check" in blind.en and "connection lost" in blind.fr


def test_evidence_goes_into_the_message_in_both_languages() -> None:
    v = judge("nginx", [ServiceSample(False, "fatal")], None, window_s=1).with_logs(["[emerg] bad"])
    assert v.message().endswith("dernières lignes de log : [emerg] bad") and " / nginx ne tourne pas" in v.message()


def test_endpoints_are_found_by_server_and_service_then_by_service() -> None:
    endpoints = {"nginx": "tcp:80", "web-01/nginx": "https://web-01/healthz"}
    assert endpoint_for(endpoints, "web-01", "nginx") == Endpoint(url="https://web-01/healthz")
    assert endpoint_for(endpoints, "web-02", "nginx") == Endpoint(port=80)
    assert endpoint_for(endpoints, "web-02", "redis") is None


@given(st.text(max_size=40))
def test_any_endpoint_text_parses_or_is_refused_clearly(text: str) -> None:
    looks_valid = text.strip().startswith(("tcp:", "http://", "https://"))
    if not looks_valid:
        with pytest.raises(ValueError, match="tcp:PORT"):
            Endpoint.parse(text)
        return
    try:
        e = Endpoint.parse(text)
    except ValueError as exc:
        problem = str(exc)
    else:
        problem = ""
        assert (e.port is not None and 1 <= e.port <= 65535) or (e.url or "").startswith("http")
    assert problem == "" or "tcp:PORT" in problem
