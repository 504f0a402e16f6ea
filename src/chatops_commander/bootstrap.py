"""The composition root: the one place that builds concrete adapters and wires them.

`prepare_database()` is blocking (Alembic) and runs before the event loop or in a thread;
`build()` creates the engine and the ports; `Container.aclose()` releases them.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports import DatabaseProbe, UnitOfWorkFactory
from chatops_commander.services.ports_monitoring import CollectorLock, HostMetricsSource, NotificationChannel
from chatops_commander.services.principal import Principal
from chatops_commander.services.tracing import NoopTracer, Tracer

# Heavy dependencies (SQLAlchemy, Alembic, asyncssh, the LLM SDKs, OpenTelemetry, Redis, httpx, argon2…) are
# imported inside the functions that use them, so that `chatops --help` and light commands start fast (ADR 0012).
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from chatops_commander.adapters.events.redis_relay import RedisEventRelay
    from chatops_commander.adapters.inventory import InventoryError, load_inventory
    from chatops_commander.adapters.monitoring.prom_metrics import PrometheusMetrics
    from chatops_commander.adapters.redis_probe import RedisProbe
    from chatops_commander.adapters.security.audit_anchor import AuditKeys, CheckpointWriter
    from chatops_commander.adapters.security.jwt_tokens import JwtCodec
    from chatops_commander.adapters.security.kit import JsonlAuditMirror, KeyringStore
    from chatops_commander.adapters.security.opaque_tokens import TokenHasher
    from chatops_commander.adapters.security.passwords import Argon2PasswordHasher
    from chatops_commander.adapters.security.rate_limit import RateLimiter
    from chatops_commander.adapters.security.secret_box import Keyring, SecretBox
    from chatops_commander.adapters.tracing import OtelTracer
    from chatops_commander.config import Settings
    from chatops_commander.domain.security.audit_checkpoint import Checkpoint
    from chatops_commander.domain.security.audit_events import AuditEvent
    from chatops_commander.domain.security.login_throttle import LoginPolicy
    from chatops_commander.nlu.parser import Parser
    from chatops_commander.services import keys as key_service
    from chatops_commander.services.actions import ActionPipeline, CommandJournal
    from chatops_commander.services.actions.recovery import Swept
    from chatops_commander.services.chat import ChatHub, ChatService
    from chatops_commander.services.execution import FanOut
    from chatops_commander.services.kit import SecurityKit
    from chatops_commander.services.monitoring_runtime import AlertHub, MonitorLoop
    from chatops_commander.skills.registry import Registry


def __getattr__(name: str) -> Any:
    """`bootstrap.InventoryError` / `bootstrap.load_inventory` without importing the inventory reader up front."""
    if name in ("InventoryError", "load_inventory"):
        from chatops_commander.adapters import inventory

        return getattr(inventory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _metrics() -> PrometheusMetrics:
    from chatops_commander.adapters.monitoring.prom_metrics import PrometheusMetrics

    return PrometheusMetrics()


def _alert_hub() -> AlertHub:
    from chatops_commander.services.monitoring_runtime import AlertHub

    return AlertHub()


def _chat_hub() -> ChatHub:
    from chatops_commander.services.chat import ChatHub

    return ChatHub()


__all__ = [
    "Container", "InventoryError", "build", "load_inventory", "os_user", "prepare_database", "read_inventory",
]
JWT_KID = "j0"


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    db_probe: DatabaseProbe
    security: SecurityKit
    password_hasher: Argon2PasswordHasher
    jwt_codec: JwtCodec
    token_hasher: TokenHasher
    secret_box: SecretBox
    rate_limiter: RateLimiter
    audit_mirror: JsonlAuditMirror
    keyring_store: KeyringStore | None
    closed: bool = field(default=False)
    _fanout: FanOut | None = field(default=None, repr=False)
    # Monitoring: our /metrics registry (one per container), the in-process alert event hub that the
    # dashboard and the chat subscribe to (`container.alert_hub.subscribe(async_callback)`), the collector loop.
    metrics: PrometheusMetrics = field(default_factory=_metrics, repr=False)
    _alert_hub: AlertHub | None = field(default=None, repr=False)  # built on first use (imports the monitoring runtime)
    monitor: MonitorLoop | None = field(default=None, repr=False)
    # Tracing of chat turns: OpenTelemetry when CHATOPS_OTEL_ENABLED (`otel` is then that tracer), else a no-op.
    tracer: Tracer = field(default_factory=NoopTracer, repr=False)
    otel: OtelTracer | None = field(default=None, repr=False)
    # Chat events to WebSocket connections; with Redis, relayed to the other replicas (`chat_relay`).
    # Redis is optional: when configured, `/readyz` probes it and reports `degraded` when it does not answer.
    redis_probe: RedisProbe | None = field(default=None, repr=False)
    _chat_hub: ChatHub | None = field(default=None, repr=False)  # built on first use (imports the chat services)

    @property
    def chat_hub(self) -> ChatHub:
        if self._chat_hub is None:
            self._chat_hub = _chat_hub()
        return self._chat_hub

    @chat_hub.setter
    def chat_hub(self, hub: ChatHub) -> None:
        self._chat_hub = hub

    @property
    def alert_hub(self) -> AlertHub:
        if self._alert_hub is None:
            self._alert_hub = _alert_hub()
        return self._alert_hub

    @alert_hub.setter
    def alert_hub(self, hub: AlertHub) -> None:
        self._alert_hub = hub

    @property
    def alert_listener(self) -> AlertHub:
        """What alert sources call with (alert, kind, server name): the hub, which tells every subscriber."""
        return self.alert_hub

    @property
    def fanout(self) -> FanOut:
        """The fan-out over the routing executor (local for `localhost`, pooled SSH otherwise), built on first use."""
        if self._fanout is None:
            self._fanout = build_fanout(self)
        return self._fanout

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            await stop_monitoring(self)
            if self._chat_hub is not None:
                await self._chat_hub.close()
            if self._fanout is not None:
                await self._fanout.executor.close()
            await self.engine.dispose()
            if self.otel is not None:
                await asyncio.to_thread(self.otel.shutdown)  # flushes queued spans


def prepare_database(settings: Settings) -> Settings:
    """Generate embedded secrets and migrate the database to the latest revision.

    An embedded database already at the latest revision is left alone without importing Alembic (ADR 0012)."""
    from chatops_commander.adapters.db.schema_head import embedded_at_head
    from chatops_commander.adapters.security.file_modes import secure_data_dir
    from chatops_commander.config import ensure_embedded_secrets

    settings = ensure_embedded_secrets(settings)
    secure_data_dir(settings.data_dir, sqlite_file(settings))
    if not embedded_at_head(settings.effective_database_url):
        from chatops_commander.adapters.db import migrate

        migrate.upgrade(settings.effective_database_url)
        secure_data_dir(settings.data_dir, sqlite_file(settings))  # the file the migration created
    return settings


def sqlite_file(settings: Settings) -> Path | None:
    """The embedded database's file (None: a server database, or SQLite in memory)."""
    url = settings.effective_database_url
    if not url.startswith("sqlite") or ":memory:" in url or "///" not in url:
        return None
    return Path(url.split("///", 1)[1].split("?", 1)[0])


def database_revision(settings: Settings) -> str | None:
    from chatops_commander.adapters.db import migrate

    return migrate.current_revision(settings.effective_database_url)


def latest_revision() -> str | None:
    from chatops_commander.adapters.db import migrate

    return migrate.head_revision()


def _secret(settings: Settings, name: str) -> str:
    from chatops_commander.config import ConfigError
    value = getattr(settings, name)
    if value is None:
        raise ConfigError(f"CHATOPS_{name.upper()} is not set.")
    return str(value.get_secret_value())


def login_policy(settings: Settings) -> LoginPolicy:
    from chatops_commander.domain.security.login_throttle import Backoff, LoginPolicy

    return LoginPolicy(pair=Backoff(free=settings.login_free_failures, max_s=settings.login_max_wait_seconds),
                       account=Backoff(free=settings.login_account_free_failures,
                                       max_s=settings.login_account_max_wait_seconds),
                       address=Backoff(free=settings.login_address_free_failures,
                                       max_s=settings.login_max_wait_seconds),
                       forget_after_s=settings.login_forget_minutes * 60)


def rate_limits(settings: Settings) -> dict[str, str]:
    from chatops_commander.adapters.security.rate_limit import RateLimitSpec
    from chatops_commander.config import ConfigError

    limits = {"api": settings.rate_limit_api, "commands": settings.rate_limit_commands}
    for name, limit in limits.items():
        try:
            RateLimitSpec(name, limit).item  # noqa: B018  (parses it)
        except ValueError:
            raise ConfigError(f"CHATOPS_RATE_LIMIT_{name.upper()}={limit!r} is not a rate such as "
                              f"'100/15 minutes'.") from None
    return limits


def _keyring(settings: Settings) -> tuple[Keyring, KeyringStore | None]:
    from chatops_commander.adapters.security.kit import KeyringStore
    from chatops_commander.adapters.security.secret_box import Keyring
    from chatops_commander.config import ConfigError
    from chatops_commander.domain.security.policy_problems import PolicyRejected

    if settings.encryption_keyring is not None:
        try:
            data = json.loads(settings.encryption_keyring.get_secret_value())
            return Keyring.from_encoded(data["keys"], data["current"]), None
        except (ValueError, KeyError, TypeError, PolicyRejected):
            raise ConfigError('CHATOPS_ENCRYPTION_KEYRING must be JSON {"current": kid, "keys": {kid: key}} with '
                              "32-byte url-safe base64 keys (`chatops keys generate`).") from None
    store = KeyringStore(settings.data_dir / "secrets" / "keyring.json", _secret(settings, "encryption_key"))
    return store.load(), store


def security_kit(settings: Settings) -> tuple[SecurityKit, dict[str, Any]]:
    """The security components for `settings` (and the concrete ones, by name)."""
    from chatops_commander.adapters.security.audit_anchor import AuditKeys
    from chatops_commander.adapters.security.common_passwords import load_common_passwords
    from chatops_commander.adapters.security.failure_store import FailureCounters
    from chatops_commander.adapters.security.jwt_tokens import JwtCodec
    from chatops_commander.adapters.security.kit import (
        NamedRateLimits,
        OpaqueTokenFactory,
        RecoveryCodeBook,
        Totp,
        derive_key,
    )
    from chatops_commander.adapters.security.opaque_tokens import TokenHasher
    from chatops_commander.adapters.security.passwords import Argon2PasswordHasher
    from chatops_commander.adapters.security.rate_limit import RateLimiter
    from chatops_commander.adapters.security.secret_box import SecretBox
    from chatops_commander.config import ConfigError
    from chatops_commander.domain.security.ip_allowlist import parse_allowlist
    from chatops_commander.domain.security.policy_problems import PolicyRejected
    from chatops_commander.services.kit import SecurityKit

    hasher = Argon2PasswordHasher(time_cost=settings.password_time_cost,
                                  memory_cost_kib=settings.password_memory_kib,
                                  parallelism=settings.password_parallelism)
    codec = JwtCodec({JWT_KID: derive_key(_secret(settings, "jwt_secret"), "jwt-hs256")}, JWT_KID,
                     access_ttl=timedelta(minutes=settings.access_token_minutes))
    token_hasher = TokenHasher(derive_key(_secret(settings, "encryption_key"), "token-pepper"))
    keyring, store = _keyring(settings)
    box = SecretBox(keyring)
    audit_keys = AuditKeys(box)
    limiter = RateLimiter(settings.redis_url or "memory://")
    try:
        allowlist = parse_allowlist(settings.admin_ip_allowlist)
    except PolicyRejected as exc:
        raise ConfigError(f"CHATOPS_ADMIN_IP_ALLOWLIST: {exc.message}") from None
    try:
        proxies = parse_allowlist(settings.trusted_proxies)
    except PolicyRejected as exc:
        raise ConfigError(f"CHATOPS_TRUSTED_PROXIES: {exc.message}") from None
    kit = SecurityKit(
        passwords=hasher, access_tokens=codec, token_hasher=token_hasher, opaque=OpaqueTokenFactory(), totp=Totp(),
        recovery=RecoveryCodeBook(token_hasher), secrets=box, limits=NamedRateLimits(limiter, rate_limits(settings)),
        common_passwords=load_common_passwords(), refresh_ttl=timedelta(days=settings.refresh_token_days),
        admin_allowlist=allowlist, require_2fa_for_admins_default=settings.require_2fa_for_admins,
        login_failures=FailureCounters(settings.redis_url or "memory://"), login_policy=login_policy(settings),
        trusted_proxies=proxies, audit_keys=audit_keys,
    )
    return kit, {"hasher": hasher, "codec": codec, "token_hasher": token_hasher, "box": box, "limiter": limiter,
                 "audit_keys": audit_keys,
                 "store": store}


async def build(settings: Settings) -> Container:
    from chatops_commander.adapters.db.engine import create_engine, session_factory
    from chatops_commander.adapters.db.unit_of_work import SqlDatabaseProbe, SqlUnitOfWorkFactory
    from chatops_commander.adapters.redis_probe import RedisProbe
    from chatops_commander.adapters.security.failure_store import FailureCounters
    from chatops_commander.adapters.security.file_modes import secure_data_dir
    from chatops_commander.adapters.security.kit import JsonlAuditMirror
    from chatops_commander.config import ensure_embedded_secrets
    from chatops_commander.services import servers as server_service

    if settings.jwt_secret is None or settings.encryption_key is None:
        settings = ensure_embedded_secrets(settings)
    secure_data_dir(settings.data_dir, sqlite_file(settings))
    kit, parts = security_kit(settings)
    engine = create_engine(settings.effective_database_url)
    sessions = session_factory(engine)
    mirror = JsonlAuditMirror(settings.data_dir / "audit.log")
    checkpoints = checkpoint_writer(settings, parts["audit_keys"])

    def copies(events: Sequence[AuditEvent]) -> None:  # after each commit: the log lines, then the checkpoint
        mirror(events)
        checkpoints(events)

    container = Container(
        settings=settings, engine=engine,
        uow=SqlUnitOfWorkFactory(sessions, copies, chain_key=kit.audit_keys.current),
        db_probe=SqlDatabaseProbe(engine), security=kit, password_hasher=parts["hasher"], jwt_codec=parts["codec"],
        token_hasher=parts["token_hasher"], secret_box=parts["box"], rate_limiter=parts["limiter"],
        audit_mirror=mirror, keyring_store=parts["store"])
    if settings.redis_url:
        container.redis_probe = RedisProbe(settings.redis_url)
    container.rate_limiter.on_fallback = container.metrics.rate_limit_fallback
    if isinstance(kit.login_failures, FailureCounters):
        kit.login_failures.on_fallback = container.metrics.rate_limit_fallback
    if settings.otel_enabled:
        from chatops_commander.adapters.tracing import OtelTracer

        container.otel = OtelTracer(service_name=settings.otel_service_name, endpoint=settings.otel_endpoint)
        container.tracer = container.otel
    if settings.register_localhost and settings.is_embedded:
        await server_service.ensure_localhost(container.uow, ssh_user=os_user())
    return container


async def sweep_interrupted(container: Container) -> Swept | None:
    """`chatops serve` start-up: commands and deployments the previous process left running become
    `interrupted` (audited, and said in their conversations). CHATOPS_SWEEP_INTERRUPTED_AT_START=false skips it."""
    from chatops_commander.services.actions import recovery

    if not container.settings.sweep_interrupted_at_start:
        return None
    return await recovery.sweep_interrupted(container.uow, container.security)  # type: ignore[arg-type]


async def start_chat_events(container: Container) -> None:
    """In the server only (not in every CLI command): relay chat events through Redis between replicas."""
    from chatops_commander.services.chat import ChatHub

    relay = chat_relay(container.settings)
    if relay is not None:
        container.chat_hub = ChatHub(relay)
        await container.chat_hub.start()


def chat_relay(settings: Settings) -> RedisEventRelay | None:
    """Redis pub/sub between replicas (CHATOPS_CHAT_EVENTS_RELAY: auto = when CHATOPS_REDIS_URL is set)."""
    from chatops_commander.adapters.events.redis_relay import RedisEventRelay
    from chatops_commander.config import ConfigError

    if settings.chat_events_relay == "none" or (settings.chat_events_relay == "auto" and not settings.redis_url):
        return None
    if not settings.redis_url:
        raise ConfigError("CHATOPS_CHAT_EVENTS_RELAY=redis needs CHATOPS_REDIS_URL.")
    return RedisEventRelay(settings.redis_url)


async def ensure_first_admin(container: Container, *, generate: bool) -> tuple[str, str | None] | None:
    """Create the first admin when the database has no user (CHATOPS_ADMIN_EMAIL/PASSWORD, or
    with `generate` admin@localhost and a random password). (email, generated password or None)."""
    from chatops_commander.services import users as user_service

    s = container.settings
    password = s.admin_password.get_secret_value() if s.admin_password else None
    created = await user_service.ensure_first_admin(container.uow, container.security, email=s.admin_email,
                                                    password=password, generate=generate)
    if created is None:
        return None
    return created[0].email, created[1]


def audit_log_head(settings: Settings) -> tuple[int, str] | None:
    from chatops_commander.adapters.security.kit import read_audit_log_head

    return read_audit_log_head(settings.data_dir / "audit.log")


def audit_evidence(container: Container) -> dict[str, Any]:
    """What `services.audit.verify` checks the chain against: the mirror's head, the audit keys and the
    signed checkpoints kept outside the database (every door verifies with the same evidence)."""
    return {"head": audit_log_head(container.settings), "keys": container.security.audit_keys.all(),
            "checkpoints": audit_checkpoints(container.settings)}


def checkpoint_path(settings: Settings) -> Path:
    return settings.audit_checkpoint_file or settings.data_dir / "audit.checkpoints"


def checkpoint_writer(settings: Settings, keys: AuditKeys) -> CheckpointWriter:
    from chatops_commander.adapters.security.audit_anchor import CheckpointWriter, SyslogSink, WebhookSink

    sinks: list[SyslogSink | WebhookSink] = []
    if settings.audit_checkpoint_syslog:
        sinks.append(SyslogSink(settings.audit_checkpoint_syslog))
    if settings.audit_checkpoint_webhook:
        sinks.append(WebhookSink(settings.audit_checkpoint_webhook))
    return CheckpointWriter(checkpoint_path(settings), keys, sinks)


def audit_checkpoints(settings: Settings, extra: Sequence[Path] = ()) -> list[Checkpoint]:
    """Every checkpoint of the configured file plus `extra` files (lines saved from syslog or a webhook)."""
    from chatops_commander.adapters.security.audit_anchor import read_checkpoints

    found = read_checkpoints(checkpoint_path(settings))
    for path in extra:
        found += read_checkpoints(path)
    return found


async def rotate_keys(container: Container, principal: Principal) -> key_service.RotationReport:
    """Add a new current encryption key and re-encrypt every secret under it.

    File keyring: the new key is saved first (not yet current), then the database is
    re-encrypted in one transaction, then the key becomes current. Keyring from settings: the
    operator adds the new key there first; this re-encrypts under its current key.
    """
    from chatops_commander.adapters.security.keys import new_kid
    from chatops_commander.adapters.security.kit import KeyringStore
    from chatops_commander.adapters.security.secret_box import SecretBox
    from chatops_commander.services import keys as key_service

    store = container.keyring_store
    old = container.secret_box.keyring
    if store is None:
        return await key_service.reencrypt_all(container.uow, container.secret_box, principal, kid=old.current_kid)
    kid = new_kid(datetime.now(UTC))
    rotated = KeyringStore.with_new_key(old, kid)
    store.save(KeyringStore.with_current(rotated, old.current_kid))
    report = await key_service.reencrypt_all(container.uow, SecretBox(rotated), principal, kid=kid)
    store.save(rotated)
    container.secret_box.keyring = rotated
    return report


def log_redactor(settings: Settings, extra_secrets: Mapping[str, str] | None = None) -> Callable[..., Any]:
    """The structlog processor masking secrets (configured values, tokens, keys) in every log line."""
    from chatops_commander.adapters.security.redaction import SecretRedactor
    from chatops_commander.config import SECRET_FIELDS

    redactor = SecretRedactor()
    for name in SECRET_FIELDS:
        value = getattr(settings, name, None)
        if value is not None:
            redactor.add_secret(value.get_secret_value())
    for value in (extra_secrets or {}).values():
        redactor.add_secret(value)
    return redactor


def read_inventory(path: Path, fmt: str | None = None) -> list[Server]:
    """Server drafts from an Ansible inventory or an ssh config (raises InventoryError)."""
    from chatops_commander.adapters.inventory import read_hosts

    return [draft.to_server() for draft in read_hosts(path, fmt)]


def parse_inventory_text(text: str, fmt: str | None = None) -> list[Server]:
    """Server drafts from pasted inventory text (API, web UI); `ValidationFailed` with a `line N` per problem."""
    from chatops_commander.adapters.inventory import InventoryError

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory"
        path.write_text(text, encoding="utf-8")
        try:
            return read_inventory(path, fmt)
        except InventoryError as exc:
            problems: list[tuple[str, str]] = []
            for line in exc.problems:
                where, _, what = line.replace(str(path), "inventory").partition(": ")
                problems.append((where, what or where))
            raise ValidationFailed(problems) from None


def inventory_from_file(path: Path) -> Inventory:
    from chatops_commander.adapters.inventory import load_inventory

    return load_inventory(path)


def build_fanout(container: Container) -> FanOut:
    """Executors and fan-out; keys trusted on first use are pinned in the server registry."""
    from chatops_commander.adapters.executors.local import LocalExecutor
    from chatops_commander.adapters.executors.routing import RoutingExecutor
    from chatops_commander.adapters.executors.ssh import SSHExecutor, SSHOptions
    from chatops_commander.adapters.probes import NetworkProbe
    from chatops_commander.services import servers as server_service
    from chatops_commander.services.execution import MeasuredFanOut
    from chatops_commander.services.secret_cache import ServerSecretCache
    from chatops_commander.services.verification import Verifier, VerifyPolicy

    pinning: set[asyncio.Task[None]] = set()

    def pin(server: Server, fingerprint: str) -> None:
        if server.id is None:
            return
        task = asyncio.get_running_loop().create_task(
            server_service.pin_host_key(container.uow, server.id, fingerprint))
        pinning.add(task)
        task.add_done_callback(pinning.discard)

    secrets = ServerSecretCache(container.uow, container.security)

    async def stored_secret(server: Server) -> tuple[str, str] | None:
        return None if server.id is None else await secrets.get(server.id)

    locale = container.settings.command_locale or None
    options = SSHOptions(known_hosts=str(container.settings.ssh_known_hosts), on_new_host_key=pin,
                         secret_provider=stored_secret, locale=locale)
    executor = RoutingExecutor(LocalExecutor(locale=locale), SSHExecutor(options))
    s = container.settings
    policy = VerifyPolicy(checks=s.verify_checks, interval_s=s.verify_interval_s, endpoints=dict(s.service_checks))
    fanout = MeasuredFanOut(executor, load_catalog(s), verifier=Verifier(policy, NetworkProbe()),
                            concurrency=s.fanout_concurrency)
    fanout.metrics = container.metrics
    return fanout


async def offered_host_key(server: Server, *, timeout_s: float = 10.0) -> str:
    """The SHA256 fingerprint of the SSH host key `server` offers now (OSError when it cannot be reached)."""
    from chatops_commander.adapters.executors.ssh import offered_host_key as fetch

    return await fetch(server, timeout_s=timeout_s)


def known_host_fingerprints(settings: Settings, server: Server) -> list[str]:
    """The fingerprints CHATOPS_SSH_KNOWN_HOSTS lists for `server` (they take precedence over a pinned key)."""
    from chatops_commander.adapters.executors.ssh import known_host_fingerprints as listed

    return listed(str(settings.ssh_known_hosts), server)


def build_parser(settings: Settings, catalog: Sequence[ActionSpec], inventory: Inventory) -> Parser:
    """The offline parser, with the LLM fallback when a provider is configured (CHATOPS_LLM_*)."""
    from chatops_commander.adapters.llm.factory import build_intent_model
    from chatops_commander.nlu.llm import LLMFallback
    from chatops_commander.nlu.parser import Parser

    model = build_intent_model(settings.llm_provider, model=settings.llm_model, base_url=settings.llm_base_url,
                               api_key=settings.llm_api_key, timeout_s=settings.llm_timeout_s)
    fallback = (LLMFallback(model, catalog, threshold=settings.llm_confidence_threshold,
                            timeout_s=settings.llm_timeout_s) if model is not None else None)
    return Parser(catalog, inventory, fallback=fallback, threshold=settings.llm_confidence_threshold)


def load_catalog(settings: Settings) -> Registry:
    """Built-in actions plus packs from `CHATOPS_PACKS_PATH` and the `chatops.packs` entry points."""
    from chatops_commander.skills.registry import load_registry

    return load_registry(settings.packs_path)


def catalog_specs(settings: Settings) -> tuple[ActionSpec, ...]:
    from chatops_commander.skills.catalog import catalog_specs as specs_of

    return specs_of(load_catalog(settings))


def command_journal(container: Container) -> CommandJournal:
    """The one writer of `commands` rows and command audit events."""
    from chatops_commander.services.actions import CommandJournal

    return CommandJournal(container.uow, clock=container.security, on_command=container.metrics.command)  # type: ignore[arg-type]


def build_pipeline(container: Container, *, deadline_s: float = 300.0, door: str = "cli") -> ActionPipeline:
    """The action pipeline over the container's unit of work, fan-out, catalog, journal and command rate limit.

    With Redis the limit is the shared counter every door uses; without it, a one-shot process (the CLI)
    counts its door's recent runs in the journal, since an in-memory counter would restart at zero.
    """
    from chatops_commander.adapters.security.rate_limit import RateLimitSpec
    from chatops_commander.services import auth as auth_service
    from chatops_commander.services.actions import ActionPipeline
    from chatops_commander.services.actions.journal import JournalRateLimit
    from chatops_commander.skills.catalog import catalog_specs as specs_of

    settings = container.settings
    rate_hook: Callable[[Principal], Awaitable[None]]
    if settings.redis_url:
        async def shared(principal: Principal) -> None:
            await auth_service.hit_command_limit(container.uow, container.security, principal)
        rate_hook = shared
    else:
        item = RateLimitSpec("commands", settings.rate_limit_commands).item
        rate_hook = JournalRateLimit(container.uow, clock=container.security, door=door,  # type: ignore[arg-type]
                                     amount=item.amount, period_s=float(item.get_expiry()))
    return ActionPipeline(container.uow, container.fanout,  # type: ignore[arg-type]  # the SQL UoW serves the chat
                          {s.id: s for s in specs_of(container.fanout.registry)}, journal=command_journal(container),
                          rate_hook=rate_hook, deadline_s=deadline_s)


def build_chat_service(container: Container, *, runbooks_path: Path | None = None,
                       health_urls: Mapping[str, str] | None = None) -> ChatService:
    """The conversation engine over the container's unit of work, fan-out, catalog and rate limits.

    Runbooks come from `runbooks_path` (default `CHATOPS_RUNBOOKS_PATH`, else `<data_dir>/runbooks`);
    `health_urls` (server name → URL, default `CHATOPS_HEALTH_URLS`) are probed after restarts and in diagnoses.
    """
    from chatops_commander.adapters.runbooks import HttpxProbe, RunbookFolder
    from chatops_commander.services import auth as auth_service
    from chatops_commander.services.chat import ChatService
    from chatops_commander.skills.catalog import catalog_specs as specs_of

    settings = container.settings
    folder = runbooks_path or getattr(settings, "runbooks_path", None) or settings.data_dir / "runbooks"
    urls = dict(health_urls if health_urls is not None else getattr(settings, "health_urls", None) or {})

    async def rate_hook(principal: Principal) -> None:
        await auth_service.hit_command_limit(container.uow, container.security, principal)

    return ChatService(
        container.uow, container.fanout, specs_of(container.fanout.registry),  # type: ignore[arg-type]
        clock=container.security, hub=container.chat_hub, http=HttpxProbe(), runbooks=RunbookFolder(Path(folder)),
        health_urls=urls, default_language=settings.default_language, rate_hook=rate_hook,
        parser_factory=lambda catalog, inventory: build_parser(settings, catalog, inventory),
        on_command=container.metrics.command, tracer=container.tracer,
        approval_ttl=timedelta(minutes=settings.approval_ttl_minutes),
        collection_interval_s=settings.monitoring_interval_s)  # a sample older than this is stale in replies


# ---- monitoring -----------------------------------------------------------------------------------------

def alert_rules(settings: Settings) -> tuple[Any, ...]:
    """The alert rules (CHATOPS_ALERT_RULES_PATH or the bundled defaults); ConfigError naming every problem."""
    from chatops_commander.adapters.monitoring.rules_file import load_rules
    from chatops_commander.config import ConfigError

    try:
        return load_rules(settings.alert_rules_path)
    except ValidationFailed as exc:
        raise ConfigError("CHATOPS_ALERT_RULES_PATH: " + "; ".join(f"{f}: {p}" for f, p in exc.problems)) from None


def notification_channels(settings: Settings) -> list[NotificationChannel]:
    from chatops_commander.adapters.monitoring.channels import SlackChannel, WebhookChannel

    channels: list[NotificationChannel] = []
    if settings.notify_webhook_url:
        secret = settings.notify_webhook_secret.get_secret_value() if settings.notify_webhook_secret else None
        channels.append(WebhookChannel("webhook", settings.notify_webhook_url, secret,
                                       severities=tuple(settings.notify_webhook_severities)))
    if settings.notify_slack_url:
        channels.append(SlackChannel("slack", settings.notify_slack_url.get_secret_value(),
                                     severities=tuple(settings.notify_slack_severities)))
    return channels


def collector_lock(container: Container) -> CollectorLock:
    """PostgreSQL advisory lock, or Redis SET NX PX, or (SQLite) one collector per process."""
    from chatops_commander.adapters.monitoring.locks import PostgresAdvisoryLock, RedisLock
    from chatops_commander.config import ConfigError
    from chatops_commander.services.monitoring_runtime import InProcessLock

    s = container.settings
    kind = s.collector_lock
    if kind == "auto":
        kind = ("postgres" if s.effective_database_url.startswith("postgresql")
                else "redis" if s.redis_url else "none")
    if kind == "postgres":
        if not s.effective_database_url.startswith("postgresql"):
            raise ConfigError("CHATOPS_COLLECTOR_LOCK=postgres needs a PostgreSQL CHATOPS_DATABASE_URL.")
        return PostgresAdvisoryLock(container.engine)
    if kind == "redis":
        if not s.redis_url:
            raise ConfigError("CHATOPS_COLLECTOR_LOCK=redis needs CHATOPS_REDIS_URL.")
        return RedisLock(s.redis_url, ttl_s=max(15.0, 3 * s.collector_lock_retry_s))
    return InProcessLock(s.effective_database_url)


def build_monitor(container: Container, *, lock: CollectorLock | None = None, clock: Any = None) -> MonitorLoop:
    """The collector (rules, sources, lock, notifier on the alert hub) as a loop to start; nothing runs yet."""
    from chatops_commander.adapters.monitoring.locks import RedisLock
    from chatops_commander.adapters.monitoring.prometheus_source import PrometheusSource
    from chatops_commander.config import ConfigError
    from chatops_commander.services.chat.housekeeping import confirmation_sweep
    from chatops_commander.services.kit import SystemClock
    from chatops_commander.services.monitoring import Collector, CollectorConfig
    from chatops_commander.services.monitoring_runtime import MonitorLoop, notifier_subscriber, repeat_chore
    from chatops_commander.services.notifications import Notifier

    s = container.settings
    clock = clock or SystemClock()
    sources: dict[str, HostMetricsSource] = {}
    if s.metrics_source == "prometheus" or "prometheus" in s.metrics_sources.values():
        if not s.prometheus_url:
            raise ConfigError("CHATOPS_METRICS_SOURCE=prometheus needs CHATOPS_PROMETHEUS_URL.")
        sources["prometheus"] = PrometheusSource(s.prometheus_url)
    notifier = Notifier(container.uow, notification_channels(s), clock=clock, attempts=s.notify_attempts,
                        repeat_s=s.notify_repeat_s)
    unsubscribe = container.alert_hub.subscribe(notifier_subscriber(notifier)) if notifier.channels else None
    config = CollectorConfig(
        interval_s=s.monitoring_interval_s, intervals=dict(s.monitoring_intervals), timeout_s=s.monitoring_timeout_s,
        raw_keep_s=s.metrics_raw_retention_hours * 3600, rollup_keep_s=s.metrics_rollup_retention_days * 86400,
        lock_retry_s=s.collector_lock_retry_s, source=s.metrics_source, sources=dict(s.metrics_sources))
    housekeeping: list[tuple[float, Callable[[], Awaitable[object]]]] = [
        (60.0, confirmation_sweep(container.uow, clock))]  # type: ignore[arg-type]  # the SQL UoW serves the chat
    if notifier.channels and s.notify_repeat_s:
        housekeeping.append((60.0, repeat_chore(container.uow, notifier)))
    collector = Collector(container.uow, container.fanout.executor, alert_rules(s), clock=clock, config=config,
                          lock=lock or collector_lock(container), metrics=container.metrics,
                          listeners=[container.alert_hub], sources=sources, housekeeping=housekeeping)
    closers = [src.close for src in sources.values()]
    if isinstance(collector.lock, RedisLock):
        closers.append(collector.lock.close)
    if unsubscribe is not None:
        async def detach() -> None:
            unsubscribe()
        closers.append(detach)
    return MonitorLoop(collector, notifier=notifier, hub=container.alert_hub, closers=closers)


async def start_monitoring(container: Container) -> MonitorLoop | None:
    """Start collecting in the background (CHATOPS_MONITORING_ENABLED); `chatops serve` calls it."""
    if not container.settings.monitoring_enabled or container.monitor is not None:
        return container.monitor
    container.monitor = build_monitor(container)
    container.monitor.start()
    return container.monitor


async def stop_monitoring(container: Container) -> None:
    monitor, container.monitor = container.monitor, None
    if monitor is not None:
        await monitor.stop()
