"""Settings: `CHATOPS_*` environment variables and an optional `.env` (pydantic-settings).

No I/O at import. `load_settings()` reads the environment; `ensure_embedded_secrets()` creates
the JWT signing key and the encryption key under the data directory on first start (mode 0600)
in embedded mode, and refuses to start in production when one is missing or weak.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FIELDS = ("jwt_secret", "encryption_key", "encryption_keyring", "alertmanager_token", "llm_api_key",
                 "admin_password",
                 "notify_webhook_secret", "notify_slack_url", "metrics_token")
WEAK_SECRETS = {"changethis", "changeme", "secret", "password", "default", "test", "chatops"}
MIN_SECRET_BYTES = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATOPS_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
    )

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")
    database_url: str | None = None  # default: sqlite+aiosqlite:///<data_dir>/chatops.db
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None  # e.g. https://chatops.example.com (enables HSTS, Secure cookies)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "info"
    log_json: bool = True
    max_body_bytes: int = 1024 * 1024
    default_language: str = "en"

    jwt_secret: SecretStr | None = None
    encryption_key: SecretStr | None = None
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    # Optional keyring for secrets at rest, JSON {"current": kid, "keys": {kid: base64url 32 bytes}};
    # unset: `k0` (derived from encryption_key) plus the keys `chatops keys rotate` keeps in data_dir/secrets.
    encryption_keyring: SecretStr | None = None

    # Sessions and rate limits (the seed's numbers; `limits` notation, e.g. "100/15 minutes").
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    # API and chat limits are sized for incident work (a responder sending a command every 2 s for
    # 15 minutes stays under them); they only stop runaway scripts.
    rate_limit_api: str = "3000/15 minutes"
    rate_limit_commands: str = "30/minute"
    approval_ttl_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)  # an approval request expires after this
    sweep_interrupted_at_start: bool = True  # `serve`: rows left running become `interrupted` (off with replicas)
    admin_ip_allowlist: Annotated[list[str], NoDecode] = Field(default_factory=list)  # CIDRs; empty: off
    require_2fa_for_admins: bool = False  # initial value; admins change it at run time
    password_time_cost: int = Field(default=3, ge=1, le=20)
    password_memory_kib: int = Field(default=64 * 1024, ge=8 * 1024, le=4 * 1024 * 1024)
    password_parallelism: int = Field(default=4, ge=1, le=64)
    # Failed logins (see README "Login throttling"): free failures, then waits doubling from 1 s up to the cap,
    # per (account, address), per account and per address; a quiet period of login_forget_minutes forgets them.
    login_free_failures: int = Field(default=5, ge=1, le=1_000_000)
    login_max_wait_seconds: int = Field(default=15 * 60, ge=1, le=24 * 3600)
    login_account_free_failures: int = Field(default=10, ge=1, le=1_000_000)
    login_account_max_wait_seconds: int = Field(default=60, ge=1, le=24 * 3600)
    login_address_free_failures: int = Field(default=30, ge=1, le=1_000_000)
    login_forget_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: the header is ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Signed audit checkpoints (head seq + hash, HMAC with the audit key) outside the database: a file (default
    # <data_dir>/audit.checkpoints; point replicas at shared storage to verify from any of them), and optionally
    # syslog (udp://host:514, tcp://host:514 or /dev/log) and a webhook (each checkpoint POSTed as JSON).
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_syslog: str | None = None
    audit_checkpoint_webhook: str | None = None

    register_localhost: bool = True
    # Hosts worked on at once by a fan-out (`chatops run|exec`, the chat) and by `chatops servers test all`.
    fanout_concurrency: int = Field(default=100, ge=1, le=1000)
    ssh_known_hosts: Path = Path("~/.ssh/known_hosts")
    # Commands run under LC_ALL/LANG=<this> on every host, so parsed output is never translated; "" keeps each
    # host's own locale (then `free`, `df`… may answer in French and some summaries cannot be read).
    command_locale: str = Field(default="C", pattern=r"^([A-Za-z0-9_.@-]{1,64})?$")
    packs_path: Path | None = None
    alertmanager_token: SecretStr | None = None

    llm_provider: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 8.0
    llm_confidence_threshold: float = 0.6

    # Monitoring and alerts (README "Monitoring and alerts").
    monitoring_enabled: bool = True  # `chatops serve` collects metrics from every server
    monitoring_interval_s: float = Field(default=30.0, ge=1.0, le=86400.0)
    # per-server interval, by server name: "web-01=10,db-01=120" or JSON {"web-01": 10}
    monitoring_intervals: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    monitoring_timeout_s: float = Field(default=20.0, ge=1.0, le=600.0)
    alert_rules_path: Path | None = None  # default: the bundled rules (adapters/monitoring/default_rules.yaml)
    metrics_raw_retention_hours: float = Field(default=24.0, gt=0)
    metrics_rollup_retention_days: float = Field(default=30.0, gt=0)  # 5-minute averages
    metrics_source: Literal["ssh", "prometheus"] = "ssh"
    metrics_sources: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)  # "db-01=prometheus"
    prometheus_url: str | None = None  # e.g. http://prometheus:9090 (for metrics_source=prometheus)
    collector_lock: Literal["auto", "postgres", "redis", "none"] = "auto"  # auto: PostgreSQL, else Redis, else none
    collector_lock_retry_s: float = Field(default=5.0, gt=0, le=300.0)
    chat_events_relay: Literal["auto", "redis", "none"] = "auto"  # chat events across replicas; auto: Redis if set
    metrics_token: SecretStr | None = None  # when set, GET /metrics needs `Authorization: Bearer <token>`
    notify_webhook_url: str | None = None
    notify_webhook_secret: SecretStr | None = None  # HMAC-SHA256 key of the X-ChatOps-Signature header
    notify_webhook_severities: Annotated[list[str], NoDecode] = Field(default_factory=list)  # empty: all
    notify_slack_url: SecretStr | None = None  # a Slack-compatible incoming webhook URL
    notify_slack_severities: Annotated[list[str], NoDecode] = Field(default_factory=list)
    notify_repeat_s: float = Field(default=4 * 3600.0, ge=0)  # re-send still-open alerts; 0: never
    notify_attempts: int = Field(default=3, ge=1, le=10)

    # Verified outcomes: after a restart/start/reload the service manager is sampled `verify_checks` times,
    # `verify_interval_s` apart; `service_checks` says where services answer, by service or server/service:
    # "nginx=tcp:80,web-01/api=http://10.0.0.5:8080/healthz" or JSON {"nginx": "tcp:80"}.
    service_checks: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    verify_checks: int = Field(default=3, ge=1, le=10)
    verify_interval_s: float = Field(default=1.0, ge=0.0, le=30.0)

    # Distributed tracing of chat turns (OpenTelemetry, OTLP over HTTP/protobuf); off by default.
    otel_enabled: bool = False
    otel_endpoint: str | None = None  # e.g. http://127.0.0.1:4318/v1/traces (unset: OTEL_EXPORTER_OTLP_* or localhost)
    otel_service_name: str = "chatops-commander"

    @field_validator("data_dir", "ssh_known_hosts", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("cors_origins", "admin_ip_allowlist", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [v.strip() for v in text.split(",") if v.strip()]
        return value

    @field_validator("monitoring_intervals", "metrics_sources", "service_checks", mode="before")
    @classmethod
    def _split_mapping(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            pairs = [p.partition("=") for p in text.split(",") if p.strip()]
            if any(not sep or not k.strip() for k, sep, _ in pairs):
                raise ValueError("expected name=value pairs separated by commas, or a JSON object")
            return {k.strip(): v.strip() for k, _, v in pairs}
        return value

    @field_validator("metrics_sources", mode="after")
    @classmethod
    def _known_sources(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(v for v in value.values() if v not in ("ssh", "prometheus"))
        if bad:
            raise ValueError(f"unknown metrics source(s) {', '.join(bad)}: use ssh or prometheus")
        return value

    @field_validator("service_checks", mode="after")
    @classmethod
    def _known_endpoints(cls, value: dict[str, str]) -> dict[str, str]:
        from chatops_commander.domain.verification import Endpoint

        for key, text in value.items():
            try:
                Endpoint.parse(text)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return value

    @field_validator("notify_webhook_severities", "notify_slack_severities", mode="before")
    @classmethod
    def _split_severities(cls, value: Any) -> Any:
        items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
        if isinstance(items, list):
            bad = sorted(str(v) for v in items if v not in ("info", "warning", "critical"))
            if bad:
                raise ValueError(f"unknown severity {', '.join(bad)}: use info, warning, critical")
        return items

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'chatops.db').resolve()}"

    @property
    def is_embedded(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def uses_tls(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))

    def masked(self) -> dict[str, Any]:
        """Effective settings for display, secrets replaced by `********` (or `<unset>`)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in SECRET_FIELDS:
                out[name] = "********" if value else "<unset>"
            elif isinstance(value, Path):
                out[name] = str(value)
            elif isinstance(value, StrEnum):
                out[name] = value.value
            else:
                out[name] = value
        out["database_url"] = _mask_url_password(self.effective_database_url)
        if self.redis_url:
            out["redis_url"] = _mask_url_password(self.redis_url)
        return out


def _mask_url_password(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:********@{host}" if ":" in creds else url


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def secret_problem(value: str) -> str | None:
    """Why a configured secret is too weak, or None when it is acceptable."""
    raw = value.strip()
    if raw.lower() in WEAK_SECRETS:
        return "is a well-known placeholder"
    if len(set(raw)) < 8:
        return "has too few distinct characters"
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        strength = len(decoded) if len(raw) >= 43 else len(raw.encode())
    except ValueError:
        strength = len(raw.encode())
    if strength < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def _read_or_create(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def ensure_embedded_secrets(settings: Settings) -> Settings:
    """Fill missing secrets from `<data_dir>/secrets/` (created 0600) outside production.

    In production every secret must be given and strong: raise `ConfigError` naming the variable.
    """
    required = {"jwt_secret": "CHATOPS_JWT_SECRET", "encryption_key": "CHATOPS_ENCRYPTION_KEY"}
    if settings.is_production:
        for field, env_name in required.items():
            value: SecretStr | None = getattr(settings, field)
            if value is None:
                raise ConfigError(
                    f"{env_name} is not set: in production every secret must be given. "
                    f"Generate one with `chatops keys generate` and set {env_name}."
                )
            problem = secret_problem(value.get_secret_value())
            if problem:
                raise ConfigError(f"{env_name} {problem}: use at least 32 random bytes "
                                  f"(`chatops keys generate`).")
        return settings
    updates: dict[str, SecretStr] = {}
    for field in required:
        if getattr(settings, field) is None:
            updates[field] = SecretStr(_read_or_create(settings.data_dir / "secrets" / f"{field}.key"))
    return settings.model_copy(update=updates) if updates else settings
