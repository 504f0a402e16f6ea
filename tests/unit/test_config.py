from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from chatops_commander.config import ConfigError, Settings, ensure_embedded_secrets, secret_problem

STRONG = "x7Kq2Vb9Lm4Np8Rs3Tw6Yz1Ac5De0Fg_Hj-Ik2Lo9Pu"


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


class TestEmbeddedSecrets:
    def test_missing_secrets_are_generated_private_and_reused(self, tmp_path: Path) -> None:
        first = ensure_embedded_secrets(settings(tmp_path))
        key_file = tmp_path / "secrets" / "jwt_secret.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
        second = ensure_embedded_secrets(settings(tmp_path))
        assert first.jwt_secret is not None and second.jwt_secret is not None
        assert first.jwt_secret.get_secret_value() == second.jwt_secret.get_secret_value()
        assert secret_problem(first.jwt_secret.get_secret_value()) is None

    def test_given_secrets_are_kept(self, tmp_path: Path) -> None:
        done = ensure_embedded_secrets(settings(tmp_path, jwt_secret=STRONG, encryption_key=STRONG))
        assert done.jwt_secret == SecretStr(STRONG)
        assert not (tmp_path / "secrets").exists()


class TestProductionRefusesWeakConfiguration:
    def test_missing_secret_is_named(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="CHATOPS_JWT_SECRET is not set"):
            ensure_embedded_secrets(settings(tmp_path, env="production", encryption_key=STRONG))

    @pytest.mark.parametrize("weak", ["changethis", "short-but-varied-1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])
    def test_weak_secret_is_refused(self, tmp_path: Path, weak: str) -> None:
        with pytest.raises(ConfigError, match="CHATOPS_ENCRYPTION_KEY"):
            ensure_embedded_secrets(settings(tmp_path, env="production", jwt_secret=STRONG, encryption_key=weak))

    def test_strong_secrets_pass(self, tmp_path: Path) -> None:
        done = ensure_embedded_secrets(settings(tmp_path, env="production", jwt_secret=STRONG,
                                                encryption_key=STRONG))
        assert done.is_production


class TestMaskedSettings:
    def test_secrets_and_url_passwords_are_masked(self, tmp_path: Path) -> None:
        shown = settings(tmp_path, jwt_secret=STRONG, database_url="postgresql+asyncpg://app:hunter2@db/chatops",
                         redis_url="redis://:sekrit@cache:6379/0").masked()
        text = repr(shown)
        assert STRONG not in text and "hunter2" not in text and "sekrit" not in text
        assert shown["jwt_secret"] == "********"
        assert shown["encryption_key"] == "<unset>"
        assert shown["database_url"] == "postgresql+asyncpg://app:********@db/chatops"

    def test_default_database_is_sqlite_in_the_data_dir(self, tmp_path: Path) -> None:
        s = settings(tmp_path)
        assert s.is_embedded
        assert s.effective_database_url.endswith(f"{tmp_path.resolve()}/chatops.db")

    def test_cors_origins_accept_a_comma_list(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHATOPS_CORS_ORIGINS", "https://a.example, https://b.example")
        assert settings(tmp_path).cors_origins == ["https://a.example", "https://b.example"]
