"""`chatops users|keys|servers set-secret` and the first admin printed once by `chatops serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from chatops_commander.entrypoints.cli.main import app
from tests.e2e.test_serve import free_port, wait_until_up

runner = CliRunner()
PASSWORD = "Violet-Tram-42-Harbour"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("CHATOPS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CHATOPS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CHATOPS_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("CHATOPS_PASSWORD_MEMORY_KIB", "8192")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "var"


def chatops(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


class TestUsersCommands:
    def test_add_list_set_role_disable_enable_reset_password_and_2fa(self, data_dir: Path) -> None:
        code, out = chatops("users", "add", "alice@example.com", "--role", "admin", "--password-stdin",
                            stdin=PASSWORD + "\n")
        assert code == 0 and "alice@example.com" in out, out
        code, out = chatops("users", "add", "bob@example.com", "--role", "operator", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        assert code == 0, out
        code, out = chatops("users", "list")
        assert "alice@example.com" in out and "operator" in out and PASSWORD not in out
        assert chatops("users", "set-role", "bob@example.com", "viewer")[0] == 0
        assert chatops("users", "reset-password", "bob@example.com", "--password-stdin",
                       stdin="Another-Pass-Word-77\n")[0] == 0
        assert chatops("users", "disable", "bob@example.com")[0] == 0
        code, out = chatops("users", "list")
        assert "viewer" in out and "no" in out
        code, out = chatops("users", "enable", "bob@example.com")
        assert code == 0 and "bob@example.com is enabled" in out, out
        code, out = chatops("users", "reset-2fa", "bob@example.com")  # not enrolled: nothing to erase, no event
        assert code == 0 and "Two-factor authentication of bob@example.com is off" in out, out
        records = [json.loads(line) for line in (data_dir / "audit.log").read_text().splitlines()]
        assert [r["action"] for r in records if r["actor"].startswith("cli:")] == [
            "USER_CREATED", "USER_CREATED", "USER_ROLE_CHANGED", "USER_PASSWORD_RESET", "USER_DISABLED",
            "USER_ENABLED"]
        assert chatops("audit", "verify")[0] == 0

    @pytest.mark.parametrize(("password", "message"), [
        ("short-1", "at least 12 characters"),
        ("carol@example.com", "e-mail"),
        ("password1234", "commonly used"),
    ])
    def test_a_weak_password_is_refused_and_nothing_is_created(self, data_dir: Path, password: str,
                                                               message: str) -> None:
        code, out = chatops("users", "add", "carol@example.com", "--password-stdin", stdin=password + "\n")
        assert code == 2 and message in out and "Traceback" not in out, out
        assert "carol@example.com" not in chatops("users", "list")[1]

    def test_messages_are_in_french_with_a_french_locale(self, data_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
        code, out = chatops("users", "add", "dave@example.com", "--password-stdin", stdin="court\n")
        assert code == 2 and "au moins 12 caractères" in out
        code, out = chatops("users", "disable", "nobody@example.com")
        assert code == 2 and "Aucun utilisateur" in out

    def test_the_last_admin_cannot_be_disabled_or_demoted(self, data_dir: Path) -> None:
        chatops("users", "add", "root@example.com", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
        code, out = chatops("users", "disable", "root@example.com")
        assert code == 2 and "last active admin" in out
        assert chatops("users", "set-role", "root@example.com", "viewer")[0] == 2


class TestSecretsCommands:
    def test_set_secret_then_rotate_keys(self, data_dir: Path, tmp_path: Path) -> None:
        key = tmp_path / "id_ed25519"
        key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAtestkey\n-----END OPENSSH PRIVATE KEY-----\n")
        assert chatops("servers", "add", "web-01", "--host", "10.0.0.11")[0] == 0
        code, out = chatops("servers", "set-secret", "web-01", "--key-file", str(key))
        assert code == 0 and "encrypted" in out and "AAAAtestkey" not in out
        code, out = chatops("keys", "rotate")
        assert code == 0 and "1 server secret(s)" in out, out
        keyring = data_dir / "secrets" / "keyring.json"
        assert keyring.stat().st_mode & 0o777 == 0o600
        assert json.loads(keyring.read_text())["current"] != "k0"
        assert chatops("audit", "verify")[0] == 0


def test_serve_creates_the_first_admin_and_prints_its_password_once_never_in_the_logs(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env |= {"CHATOPS_DATA_DIR": str(tmp_path / "var"), "CHATOPS_PASSWORD_TIME_COST": "1",
            "CHATOPS_PASSWORD_MEMORY_KIB": "8192", "COLUMNS": "200"}
    chatops_bin = Path(sys.executable).parent / "chatops"
    proc = subprocess.Popen([str(chatops_bin), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc)
        login = {"email": "admin@localhost", "password": "?"}
        proc.terminate()
        stdout, stderr = (s.decode() for s in proc.communicate(timeout=15))
    finally:
        if proc.poll() is None:
            proc.kill()
    line = next(line for line in stdout.splitlines() if "admin@localhost" in line)
    password = line.split("password:")[1].split()[0]
    assert len(password) >= 20 and stdout.count(password) == 1
    assert password not in stderr  # the JSON logs
    login["password"] = password
    # a second start finds the admin and prints nothing more
    proc = subprocess.Popen([str(chatops_bin), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{base}/healthz", proc)
        assert httpx.post(f"{base}/api/v1/auth/login", json=login).status_code == 200
        assert httpx.get(f"{base}/api/v1/servers").status_code == 401
        proc.terminate()
        again = proc.communicate(timeout=15)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "password:" not in again and password not in again
