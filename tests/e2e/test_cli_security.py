"""`chatops users|keys|servers set-secret` and the first admin printed once by `chatops serve`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.cli import chatops
from tests.live_server import serve

PASSWORD = "Violet-Tram-42-Harbour"




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


class TestPermissionCommands:
    def test_grant_on_a_tag_then_list_and_revoke_it(self, data_dir: Path) -> None:
        assert chatops("users", "add", "ann@example.com", "--role", "operator", "--password-stdin",
                       stdin=PASSWORD + "\n")[0] == 0
        assert chatops("servers", "add", "web-01", "--host", "10.0.0.11", "--tag", "web")[0] == 0
        code, out = chatops("users", "grant", "ann@example.com", "web", "--tag", "--execute")
        assert code == 0 and "every server tagged web" in out, out
        code, out = chatops("users", "grant", "ann@example.com", "web-01")
        assert code == 0, out
        code, out = chatops("users", "grants", "ann@example.com")
        assert code == 0 and "tag" in out and "server" in out and "web-01" in out, out
        code, out = chatops("users", "revoke", "ann@example.com", "web", "--tag", lang="fr")
        assert code == 0 and "l'étiquette web" in out, out
        code, out = chatops("users", "revoke", "ann@example.com", "web", "--tag")
        assert code != 0 and "no grant on the tag" in out, out
        code, out = chatops("users", "grant", "ann@example.com", "bad tag", "--tag")
        assert code != 0 and "Traceback" not in out, out
        assert chatops("audit", "verify")[0] == 0


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
    env = {"CHATOPS_DATA_DIR": str(tmp_path / "var"), "CHATOPS_PASSWORD_TIME_COST": "1",
           "CHATOPS_PASSWORD_MEMORY_KIB": "8192", "COLUMNS": "200"}
    with serve(tmp_path, env, stderr=subprocess.PIPE) as (_, proc):
        login = {"email": "admin@localhost", "password": "?"}
        proc.terminate()
        stdout, stderr = (s.decode() for s in proc.communicate(timeout=15))
    line = next(line for line in stdout.splitlines() if "admin@localhost" in line)
    password = line.split("password:")[1].split()[0]
    assert len(password) >= 20 and stdout.count(password) == 1
    assert password not in stderr  # the JSON logs
    login["password"] = password
    # a second start finds the admin and prints nothing more
    with serve(tmp_path, env) as (base, proc):
        assert httpx.post(f"{base}/api/v1/auth/login", json=login).status_code == 200
        assert httpx.get(f"{base}/api/v1/servers").status_code == 401
        proc.terminate()
        again = proc.communicate(timeout=15)[0].decode()
    assert "password:" not in again and password not in again
