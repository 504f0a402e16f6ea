"""The composition root's part for the chat platforms (kept beside `bootstrap.py`, same rules): settings
`CHATOPS_SLACK_*` …, the platform store, the button key, the door, and the bots' run loop with backoff.

Nothing here is imported by `chatops --help`; slack_bolt is imported only when the Slack bot starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chatops_commander.services.platforms.contract import Place, Platform

if TYPE_CHECKING:
    from chatops_commander.adapters.db.platform_repositories import SqlPlatformStore
    from chatops_commander.bootstrap import Container
    from chatops_commander.services.chat import ChatService
    from chatops_commander.services.platforms.door import PlatformDoorService
    from chatops_commander.services.platforms.linking import Linking
    from chatops_commander.services.platforms.signing import ButtonSigner

log = logging.getLogger("chatops.platforms")
SECRET_NAMES = {"slack": ("bot_token", "app_token", "signing_secret"), "mattermost": ("token",),
                "matrix": ("access_token",), "teams": ("app_password",)}
SUPPORTED = ("slack", "mattermost", "teams", "matrix")


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATOPS_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    bots: Annotated[list[str], NoDecode] = Field(default_factory=list)  # started inside `chatops serve`
    chat_rate_limit: str = "30/minute"  # messages and button presses per chat user
    link_ttl_minutes: int = Field(default=10, ge=1, le=60)
    slack_bot_token: SecretStr | None = None  # xoxb-…
    slack_app_token: SecretStr | None = None  # xapp-… (Socket Mode)
    slack_signing_secret: SecretStr | None = None  # HTTP Events mode
    slack_mode: Literal["socket", "http"] = "socket"
    slack_http_host: str = "127.0.0.1"
    slack_http_port: int = Field(default=3000, ge=0, le=65535)
    slack_approvers_channel: str | None = None  # channel id where approval cards are also posted
    slack_api_url: str | None = None  # Web API base URL (default Slack's); a proxy, or the tests' local server
    mattermost_url: str | None = None  # https://chat.example.com
    mattermost_token: SecretStr | None = None  # the bot account's access token
    mattermost_callback_host: str = "127.0.0.1"  # where the buttons' callbacks are served
    mattermost_callback_port: int = Field(default=3001, ge=0, le=65535)
    mattermost_callback_url: str | None = None  # the URL Mattermost calls (behind your proxy)
    mattermost_approvers_channel: str | None = None
    # Matrix (docs/platforms/matrix.md): homeserver URL, the bot's user id and access token; matrix_rooms, when set,
    # is the allow-list of rooms (ids or #aliases) the bot joins — direct messages are always accepted.
    matrix_homeserver: str | None = None  # https://matrix.example.org
    matrix_user_id: str | None = None  # @chatops:example.org
    matrix_access_token: SecretStr | None = None
    matrix_rooms: Annotated[list[str], NoDecode] = Field(default_factory=list)
    matrix_approvers_room: str | None = None  # room id where approval cards are also posted (the bot must be in it)

    # Microsoft Teams (docs/platforms/teams.md): the Azure Bot's app id and client secret; tenant for a single-tenant
    # bot. Teams POSTs activities to http(s)://<your host>/api/messages (behind your reverse proxy) on teams_host:port.
    teams_app_id: str | None = None
    teams_app_password: SecretStr | None = None  # the app registration's client secret
    teams_tenant_id: str | None = None
    teams_host: str = "127.0.0.1"
    teams_port: int = Field(default=3978, ge=0, le=65535)
    teams_cloud: Literal["Public", "USGov", "USGovDoD", "China"] = "Public"
    teams_service_url: str = "https://smba.trafficmanager.net/teams"  # for posts before any activity (approvers)
    teams_openid_metadata_url: str | None = None  # the connector's signing keys; default the cloud's Bot Framework
    teams_approvers_channel: str | None = None  # channel id (19:…@thread.tacv2) where approval cards are also posted

    @field_validator("bots", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip().lower() for v in value.split(",") if v.strip()]
        return value

    @field_validator("matrix_rooms", mode="before")
    @classmethod
    def _split_rooms(cls, value: object) -> object:
        if isinstance(value, str):  # room ids and aliases are case-sensitive
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


def platform_settings() -> PlatformSettings:
    return PlatformSettings()


def platform_store(container: Container) -> SqlPlatformStore:
    from chatops_commander.adapters.db.engine import session_factory
    from chatops_commander.adapters.db.platform_repositories import SqlPlatformStore

    return SqlPlatformStore(session_factory(container.engine))


def button_signer(container: Container) -> ButtonSigner:
    from chatops_commander.adapters.security.kit import derive_key
    from chatops_commander.bootstrap import _secret
    from chatops_commander.services.platforms.signing import ButtonSigner

    return ButtonSigner(derive_key(_secret(container.settings, "encryption_key"), "platform-buttons"))


def action_token(container: Container, platform: str) -> str:
    """The secret a platform's button callbacks must carry (Mattermost): derived from the server's key."""
    from chatops_commander.adapters.security.kit import derive_key
    from chatops_commander.bootstrap import _secret

    return derive_key(_secret(container.settings, "encryption_key"), f"{platform}-actions").hex()


def linking(container: Container) -> Linking:
    from chatops_commander.services.platforms.linking import Linking

    return Linking(container.uow, platform_store(container), clock=container.security)


def link_base(container: Container) -> str:
    s = container.settings
    return (s.public_url or f"http://{s.host}:{s.port}").rstrip("/")


def chat_rate(container: Container, limit: str) -> Callable[[str], Awaitable[int]]:
    from chatops_commander.adapters.security.rate_limit import RateLimitSpec
    from chatops_commander.config import ConfigError

    try:
        spec = RateLimitSpec("chat", limit)
        spec.item  # noqa: B018  (parses it)
    except ValueError:
        raise ConfigError(f"CHATOPS_CHAT_RATE_LIMIT={limit!r} is not a rate such as '30/minute'.") from None

    async def check(key: str) -> int:
        verdict = container.rate_limiter.hit(key, spec)
        return 0 if verdict.allowed else max(1, verdict.retry_after_s)
    return check


def platform_door(container: Container, chat: ChatService | None = None,
                  settings: PlatformSettings | None = None) -> PlatformDoorService:
    from datetime import timedelta

    from chatops_commander import bootstrap
    from chatops_commander.services.platforms.door import PlatformDoorService

    ps = settings or platform_settings()
    approvers: dict[Platform, Place] = {}
    if ps.slack_approvers_channel:
        approvers[Platform.SLACK] = Place(Platform.SLACK, "", ps.slack_approvers_channel)
    if ps.mattermost_approvers_channel:
        approvers[Platform.MATTERMOST] = Place(Platform.MATTERMOST, "", ps.mattermost_approvers_channel)
    if ps.teams_approvers_channel:
        approvers[Platform.TEAMS] = Place(Platform.TEAMS, ps.teams_tenant_id or "", ps.teams_approvers_channel)
    if ps.matrix_approvers_room:
        approvers[Platform.MATRIX] = Place(Platform.MATRIX, "", ps.matrix_approvers_room)
    base = link_base(container)
    return PlatformDoorService(
        chat or bootstrap.build_chat_service(container), platform_store(container), button_signer(container),
        clock=container.security, link_url=lambda token: f"{base}/link/{token}",
        rate=chat_rate(container, ps.chat_rate_limit), approvers=approvers,
        link_ttl=timedelta(minutes=ps.link_ttl_minutes))


# ---- secrets: the environment, else sealed in the database (`chatops bots secret set`) ----------------------

def _aad(platform: str, name: str) -> bytes:
    return f"platform:{platform}:{name}".encode()


async def seal_secret(container: Container, platform: str, name: str, value: str, *, actor: str) -> None:
    sealed = container.secret_box.encrypt(value, associated_data=_aad(platform, name))
    async with container.uow() as uow:
        await uow.app_settings.put(f"platforms.{platform}.{name}", sealed, updated_by=actor)  # type: ignore[attr-defined]
        await uow.commit()


async def platform_secret(container: Container, ps: PlatformSettings, platform: str, name: str) -> str | None:
    from_env = getattr(ps, f"{platform}_{name}", None)
    if from_env is not None:
        return str(from_env.get_secret_value())
    async with container.uow() as uow:
        sealed = await uow.app_settings.get(f"platforms.{platform}.{name}")  # type: ignore[attr-defined]
    if not sealed:
        return None
    return container.secret_box.decrypt_text(str(sealed), associated_data=_aad(platform, name))


# ---- running the bots ------------------------------------------------------------------------------------

async def build_bot(container: Container, name: str, door: PlatformDoorService, ps: PlatformSettings) -> Runnable:
    from chatops_commander.config import ConfigError

    if name == "slack":
        from chatops_commander.adapters.platforms.slack.bot import SlackBot, SlackConfig

        try:
            import slack_bolt  # noqa: F401
        except ImportError:
            raise ConfigError("The Slack bot needs slack-bolt: pip install 'chatops-commander[slack]'.") from None

        bot_token = await platform_secret(container, ps, "slack", "bot_token")
        if not bot_token:
            raise ConfigError("CHATOPS_SLACK_BOT_TOKEN is not set (or `chatops bots secret set slack bot_token`).")
        app_token = await platform_secret(container, ps, "slack", "app_token")
        signing = await platform_secret(container, ps, "slack", "signing_secret")
        if ps.slack_mode == "socket" and not app_token:
            raise ConfigError("Socket Mode needs CHATOPS_SLACK_APP_TOKEN (xapp-…); or set CHATOPS_SLACK_MODE=http.")
        if ps.slack_mode == "http" and not signing:
            raise ConfigError("HTTP Events mode needs CHATOPS_SLACK_SIGNING_SECRET.")
        return SlackBot(door, SlackConfig(bot_token=bot_token, app_token=app_token, signing_secret=signing,
                                          mode=ps.slack_mode, http_host=ps.slack_http_host,
                                          http_port=ps.slack_http_port, api_url=ps.slack_api_url,
                                          approvers_channel=ps.slack_approvers_channel))
    if name == "mattermost":
        from chatops_commander.adapters.platforms.mattermost.bot import MattermostBot, MattermostConfig

        token = await platform_secret(container, ps, "mattermost", "token")
        if not ps.mattermost_url or not token:
            raise ConfigError("Mattermost needs CHATOPS_MATTERMOST_URL and CHATOPS_MATTERMOST_TOKEN (or `chatops bots "
                              "secret set mattermost token`).")
        return MattermostBot(door, MattermostConfig(
            url=ps.mattermost_url, token=token, action_token=action_token(container, "mattermost"),
            callback_host=ps.mattermost_callback_host, callback_port=ps.mattermost_callback_port,
            callback_url=ps.mattermost_callback_url, approvers_channel=ps.mattermost_approvers_channel))
    if name == "teams":
        try:
            import microsoft_teams.apps  # noqa: F401
        except ImportError:
            raise ConfigError("The Teams bot needs Microsoft's Teams SDK: pip install 'chatops-commander[teams]'.") \
                from None
        from chatops_commander.adapters.platforms.teams.bot import TeamsBot, TeamsConfig

        password = await platform_secret(container, ps, "teams", "app_password")
        if not ps.teams_app_id or not password:
            raise ConfigError("Teams needs CHATOPS_TEAMS_APP_ID and CHATOPS_TEAMS_APP_PASSWORD (or `chatops bots "
                              "secret set teams app_password`).")
        return TeamsBot(door, TeamsConfig(
            app_id=ps.teams_app_id, app_password=password, tenant_id=ps.teams_tenant_id, host=ps.teams_host,
            port=ps.teams_port, cloud=ps.teams_cloud, openid_metadata_url=ps.teams_openid_metadata_url,
            service_url=ps.teams_service_url.rstrip("/"), approvers_channel=ps.teams_approvers_channel))
    if name == "matrix":
        try:
            import mautrix  # noqa: F401
        except ImportError:
            raise ConfigError("The Matrix bot needs mautrix: pip install 'chatops-commander[matrix]'.") from None
        from chatops_commander.adapters.platforms.matrix import matrix_bot

        return matrix_bot(ps, door, access_token=await platform_secret(container, ps, "matrix", "access_token"),
                          store=platform_store(container))
    raise ConfigError(f"Unknown or not yet available chat platform {name!r}: available: {', '.join(SUPPORTED)}.")


class Runnable(Protocol):
    """What a platform bot offers the run loop."""

    name: str

    async def run(self) -> None:
        """Connect and serve; returns or raises when the connection ends."""
        ...

    async def close(self) -> None: ...


async def keep_running(bot: Runnable, stop: asyncio.Event, *, first_s: float = 1.0, max_s: float = 60.0) -> None:
    """Run `bot` until `stop`; a dropped connection or an outage reconnects with jittered exponential backoff.
    Nothing it raises reaches the caller (a platform outage never stops the web UI or another platform)."""
    delay = first_s
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            running = asyncio.create_task(bot.run())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                await bot.close()
                with contextlib.suppress(Exception):
                    await running
                return
            try:
                running.result()
                delay = first_s
            except Exception as exc:  # any failure of the platform: logged, then retried
                log.warning("platform %s: %s: %s; reconnecting in %.1f s", bot.name, exc.__class__.__name__, exc,
                            delay)
            with contextlib.suppress(Exception):
                await bot.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stopping), timeout=delay * (0.8 + 0.4 * random.random()))
            delay = min(max_s, delay * 2)
    finally:
        stopping.cancel()


async def run_bots(container: Container, names: Sequence[str], stop: asyncio.Event,
                   settings: PlatformSettings | None = None) -> None:
    ps = settings or platform_settings()
    door = platform_door(container, settings=ps)
    bots = [await build_bot(container, name, door, ps) for name in names]
    # Each platform in its own loop: one's outage or failure never stops another.
    await asyncio.gather(*(keep_running(bot, stop) for bot in bots), return_exceptions=True)


class RunningBots:
    """The bots `chatops serve` started (CHATOPS_BOTS): background tasks on the server's loop."""

    def __init__(self, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
        self.stop, self.task = stop, task

    async def close(self, timeout_s: float = 10.0) -> None:
        self.stop.set()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=timeout_s)


async def start_bots(container: Container) -> RunningBots | None:
    """Inside `chatops serve` when CHATOPS_BOTS names platforms. A wrong setting or a platform outage is logged
    and retried in the background: the web UI starts and serves whatever happens to the platforms."""
    try:
        ps = platform_settings()
    except Exception as exc:  # a bad CHATOPS_* value: said, and the server goes on
        log.error("chat platforms not started: invalid configuration: %s", exc)
        return None
    if not ps.bots:
        return None
    stop = asyncio.Event()

    async def main() -> None:
        try:
            await run_bots(container, ps.bots, stop, ps)
        except Exception as exc:  # e.g. a missing token: said once, the web UI is not affected
            log.error("chat platforms not started: %s", exc)

    return RunningBots(stop, asyncio.create_task(main(), name="chat-platforms"))
