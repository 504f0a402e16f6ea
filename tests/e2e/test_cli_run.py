"""`chatops run` / `chatops exec` on the real sshd fleet, through the CLI and the local data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli import chatops
from tests.fleet.fleet import Fleet


@pytest.fixture
def registered(fleet: Fleet, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    monkeypatch.setenv("CHATOPS_SSH_KNOWN_HOSTS", str(fleet.known_hosts))
    for server in fleet.servers():
        code, out = chatops("servers", "add", server.name, "--host", "127.0.0.1", "--port", str(server.port),
                            "--user", server.ssh_user, "--key", str(fleet.client_key),
                            *[a for svc in server.services for a in ("--service", svc)],
                            "--tag", "web" if server.name.startswith("web") else "db")
        assert code == 0, out
    return fleet


class TestRun:
    def test_restart_restarts_the_real_service_on_that_host_only(self, registered: Fleet) -> None:
        before = registered.service_pid("web-01", "nginx")
        other = registered.service_pid("web-02", "nginx")
        code, out = chatops("run", "service.restart", "--on", "web-01", "-p", "service=nginx", "--yes")
        assert code == 0, out
        assert "web-01" in out and "ok" in out
        after = registered.service_pid("web-01", "nginx")
        assert after is not None and after != before
        assert registered.http_get("web-01") is not None
        assert registered.service_pid("web-02", "nginx") == other

    def test_a_risky_action_is_not_run_without_confirmation(self, registered: Fleet) -> None:
        before = registered.service_pid("web-02", "nginx")
        code, out = chatops("run", "service.restart", "--on", "web-02", "-p", "service=nginx")
        assert code == 1 and "not confirmed" in out
        assert registered.service_pid("web-02", "nginx") == before

    def test_read_only_action_on_a_group_returns_structured_results(self, registered: Fleet) -> None:
        code, out = chatops("run", "server.disk", "--on", "web", "--json")
        assert code == 0, out
        rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert sorted(r["host"] for r in rows) == ["web-01", "web-02"]
        assert all(r["outcome"] == "ok" and r["data"]["mounts"] for r in rows)

    def test_runs_are_audited_and_the_chain_verifies(self, registered: Fleet, tmp_path: Path) -> None:
        assert chatops("run", "server.load", "--on", "all")[0] == 0
        log = (tmp_path / "var" / "audit.log").read_text()
        assert log.count('"COMMAND_EXECUTED"') == 4  # localhost + the three fleet hosts
        code, out = chatops("audit", "verify")
        assert code == 0, out

    def test_bad_parameters_and_unknown_targets_touch_nothing(self, registered: Fleet) -> None:
        code, out = chatops("run", "service.restart", "--on", "web-01", "-p", "service=nginx;reboot", "--yes")
        assert code == 2 and "service" in out
        code, out = chatops("run", "server.disk", "--on", "web-09")
        assert code == 2 and "'web-09' is neither a server nor a group/tag" in out


class TestExec:
    def test_raw_command_output_comes_back_per_host(self, registered: Fleet) -> None:
        code, out = chatops("exec", "--on", "db-master", "--yes", "--", "echo", "hello-from", "$(whoami)")
        assert code == 0, out
        assert "risk high: command substitution" in out
        assert "hello-from cc-db-master" in out
        code, out = chatops("exec", "--on", "db-master", "--", "uname", "-s")
        assert code == 0 and "Linux" in out  # read-only: low risk, no confirmation asked

    def test_destructive_command_is_critical_and_needs_confirmation(self, registered: Fleet) -> None:
        code, out = chatops("exec", "--on", "web-01", "--", "rm", "-rf", "/tmp/x")
        assert code == 1
        assert "risk critical" in out and "not confirmed" in out


class TestStoredSecret:
    def test_a_key_stored_encrypted_in_the_registry_is_used_to_connect(self, registered: Fleet) -> None:
        db = registered.server("db-master")
        code, out = chatops("servers", "add", "db-vault", "--host", "127.0.0.1", "--port", str(db.port),
                            "--user", db.ssh_user)
        assert code == 0, out
        code, out = chatops("run", "server.load", "--on", "db-vault", "--json")
        assert code == 1 and '"auth_failed"' in out  # no key file, no agent, nothing stored yet
        code, out = chatops("servers", "set-secret", "db-vault", "--key-file", str(registered.client_key))
        assert code == 0, out
        code, out = chatops("run", "server.load", "--on", "db-vault", "--json")
        assert code == 0 and '"outcome": "ok"' in out, out
