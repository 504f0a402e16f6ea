"""The Slack bot: slack-bolt's AsyncApp (imported only here, when the bot starts) in Socket Mode (an outbound
WebSocket, no public endpoint) or HTTP Events mode (Slack POSTs to us; the signing secret and its timestamp
are checked by bolt, five minutes at most, so an old request replayed is refused).

Mentions (`app_mention`), direct messages (`message` in an `im`), the `/chatops` slash command, and the
cards' buttons (`block_actions`) become `Inbound` / `ButtonPress` for the platform door; the door's
`Outbound` messages are posted with `chat.postMessage`, in the thread of the conversation. Events Slack
delivers twice (retries) are handled once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

from chatops_commander.adapters.platforms.seen import SeenIds
from chatops_commander.adapters.platforms.slack.blocks import ACTION_PREFIX, to_slack
from chatops_commander.services.platforms.contract import (
    ButtonPress,
    ChatUser,
    Inbound,
    Outbound,
    Place,
    Platform,
    PlatformDoor,
)

log = logging.getLogger("chatops.platforms.slack")
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
SEEN_EVENTS = 1000


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    app_token: str | None = None
    signing_secret: str | None = None
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_url: str | None = None  # Web API base, e.g. "http://127.0.0.1:8123/api/" (default Slack's)
    approvers_channel: str | None = None


def clean(text: str) -> str:
    """The text with the bot's mention (and any other user mention markup) removed, entities decoded."""
    text = MENTION.sub("", text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


class SlackBot:
    name = "slack"

    def __init__(self, door: PlatformDoor, config: SlackConfig) -> None:
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        self.door, self.config = door, config
        client_args: dict[str, Any] = {"token": config.bot_token}
        if config.api_url:
            client_args["base_url"] = config.api_url
        self.client = AsyncWebClient(**client_args)
        # Socket Mode needs no signing secret (the WebSocket is ours); HTTP mode checks it on every request.
        self.app = AsyncApp(client=self.client, signing_secret=config.signing_secret or "unused-in-socket-mode",
                            request_verification_enabled=config.mode == "http", process_before_response=False)
        self._seen = SeenIds(SEEN_EVENTS)
        self._closed = asyncio.Event()
        self._handler: Any = None
        self._runner: Any = None
        self.port: int | None = None  # the HTTP port really bound (http mode)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command("/chatops")(self._on_command)
        self.app.action(re.compile(f"^{ACTION_PREFIX}"))(self._on_action)

    # ---- lifecycle

    async def run(self) -> None:
        self._closed.clear()
        if self.config.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            # The SDK retries a refused connection by itself every 10 s, forever, inside connect(): ask for a
            # WebSocket URL first, so that an outage raises here and the run loop backs off (jittered, exponential).
            from slack_sdk.web.async_client import AsyncWebClient

            probe = AsyncWebClient(base_url=self.config.api_url) if self.config.api_url else AsyncWebClient()
            await probe.apps_connections_open(app_token=self.config.app_token or "")
            self._handler = AsyncSocketModeHandler(self.app, self.config.app_token)
            await self._handler.connect_async()
        else:
            from aiohttp import web

            server = self.app.server(port=self.config.http_port, host=self.config.http_host, path="/slack/events")
            self._runner = web.AppRunner(server.web_app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.config.http_host, self.config.http_port)
            await site.start()
            sockets = getattr(site._server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1] if sockets else self.config.http_port
        log.info("slack bot connected (%s mode)", self.config.mode)
        await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()
        if self._handler is not None:
            await self._handler.close_async()
            self._handler = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- Slack → door

    def _first_time(self, body: dict[str, Any]) -> bool:
        return self._seen.first_time(str(body.get("event_id") or ""))

    @staticmethod
    def _user(user_id: str, name: str = "") -> ChatUser:
        return ChatUser(Platform.SLACK, user_id, name)

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or not self._first_time(body):
            return
        place = Place(Platform.SLACK, str(body.get("team_id") or event.get("team") or ""), str(event["channel"]),
                      str(event.get("thread_ts") or event.get("ts") or "") or None)
        await self._deliver(self.door.on_message(Inbound(place, self._user(str(event.get("user", ""))),
                                                         clean(str(event.get("text", ""))), str(event.get("ts", "")))))

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return  # channels: only mentions; edits, joins and our own messages are not requests
        if not self._first_time(body):
            return
        place = Place(Platform.SLACK, str(body.get("team_id") or event.get("team") or ""), str(event["channel"]),
                      str(event["thread_ts"]) if event.get("thread_ts") else None, direct=True)
        await self._deliver(self.door.on_message(Inbound(place, self._user(str(event.get("user", ""))),
                                                         clean(str(event.get("text", ""))), str(event.get("ts", "")))))

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        await ack()
        place = Place(Platform.SLACK, str(command.get("team_id", "")), str(command.get("channel_id", "")),
                      direct=str(command.get("channel_name", "")) == "directmessage")
        who = self._user(str(command.get("user_id", "")), str(command.get("user_name", "")))
        await self._deliver(self.door.on_message(Inbound(place, who, clean(str(command.get("text", ""))))))

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        message = body.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
        user = body.get("user") or {}
        press = ButtonPress(Place(Platform.SLACK, str(team), str(channel), str(thread) if thread else None),
                            self._user(str(user.get("id", "")), str(user.get("username") or user.get("name") or "")),
                            str(action.get("value", "")), str(message.get("ts", "")))
        await self._deliver(self.door.on_button(press))

    async def _deliver(self, replies: Any) -> None:
        try:
            outs = await replies
        except Exception:  # never let one turn's failure take the bot down; the user sees nothing half-done
            log.exception("slack: the door failed on an event")
            return
        for out in outs:
            await self.send(out)

    # ---- door → Slack (PlatformSender)

    async def send(self, message: Outbound) -> str:
        text, blocks = to_slack(message)
        args: dict[str, Any] = {"channel": message.place.channel_id, "text": text, "blocks": blocks}
        if message.place.thread_id:
            args["thread_ts"] = message.place.thread_id
        if message.to is not None:  # only this user sees it
            response = await self.client.chat_postEphemeral(user=message.to.user_id, **args)
            return str(response.get("message_ts") or "")
        response = await self.client.chat_postMessage(**args)
        return str(response.get("ts") or "")
