"""The `chatops` CLI on a real data directory (SQLite in a temporary ./var)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import chatops


class TestServersCommands:
    def test_fresh_data_dir_lists_localhost(self, data_dir: Path) -> None:
        code, out = chatops("servers", "list")
        assert code == 0, out
        assert "localhost" in out and "local" in out
        assert (data_dir / "chatops.db").exists()

    def test_add_show_remove(self, data_dir: Path) -> None:
        code, out = chatops("servers", "add", "web-01", "--host", "10.0.0.11", "--user", "deploy",
                            "--tag", "web", "--service", "nginx")
        assert code == 0, out
        code, out = chatops("servers", "show", "web-01")
        assert code == 0 and "10.0.0.11" in out and "nginx" in out
        code, out = chatops("servers", "remove", "web-01", "--yes")
        assert code == 0, out
        code, out = chatops("servers", "show", "web-01")
        assert code == 2 and "No server named 'web-01'" in out

    def test_invalid_input_is_a_clear_error(self, data_dir: Path) -> None:
        code, out = chatops("servers", "add", "web-01", "--host", "10.0.0.11", "--port", "0")
        assert code == 2
        assert "port: must be between 1 and 65535" in out
        assert "Traceback" not in out

    def test_import_twice_updates_and_a_bad_file_imports_nothing(self, data_dir: Path, tmp_path: Path) -> None:
        inventory = tmp_path / "hosts.ini"
        inventory.write_text("[web]\nweb-01 ansible_host=10.0.0.11\nweb-02 ansible_host=10.0.0.12\n")
        code, out = chatops("servers", "import", str(inventory))
        assert code == 0 and "2 created" in out, out
        code, out = chatops("servers", "import", str(inventory))
        assert code == 0 and "0 created, 2 updated" in out, out
        broken = tmp_path / "broken.ini"
        broken.write_text("[db]\ndb-01 ansible_host=10.0.0.21\ndb-02 ansible_port=abc\n")
        code, out = chatops("servers", "import", str(broken))
        assert code == 2 and f"{broken}:3" in out.replace("\n", ""), out
        code, out = chatops("servers", "list")
        assert "db-01" not in out


class TestConfigAndDb:
    def test_config_show_masks_secrets(self, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHATOPS_JWT_SECRET", "planted-secret-value-that-must-not-show-0123456789")
        code, out = chatops("config", "show")
        assert code == 0
        assert "planted-secret" not in out and "********" in out

    def test_db_current_reports_up_to_date_after_upgrade(self, data_dir: Path) -> None:
        assert chatops("db", "upgrade")[0] == 0
        code, out = chatops("db", "current")
        assert code == 0 and "up to date" in out

    def test_production_without_secrets_refuses_clearly(
        self, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("CHATOPS_ENV", "production")
        code, out = chatops("servers", "list")
        assert code == 2 and "CHATOPS_JWT_SECRET is not set" in out
