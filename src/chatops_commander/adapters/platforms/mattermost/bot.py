"""The Mattermost bot: REST v4 (`users/me`, `posts`) and the WebSocket event stream (`posted`), on aiohttp (already
used by the Slack SDK) rather than `mattermostdriver` (last release January 2022; ADR 0015).

Mentions of the bot in channels and direct messages become `Inbound`s (a thread per conversation: the reply's
`root_id`). Cards are interactive message attachments whose buttons call back our HTTP endpoint; every
callback must carry the action token (a secret only the server knows, put in the button's integration context,
which Mattermost never shows to clients) — a callback without it is refused with 401 — and the door then checks
the signed, single-use payload like for every platform.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, WSMsgType, web

from chatops_commander.services.platforms.contract import (
    ButtonPress,
    ButtonStyle,
    ChatUser,
    Inbound,
    Outbound,
    Place,
    Platform,
    PlatformDoor,
)
from chatops_commander.services.platforms.wording import cut

log = logging.getLogger("chatops.platforms.mattermost")
CALLBACK_PATH = "/mattermost/actions"
MESSAGE_MAX = 16_000  # Mattermost's post limit is 16383 characters


@dataclass(frozen=True)
class MattermostConfig:
    url: str  # https://chat.example.com
    token: str  # the bot account's access token
    action_token: str  # put in every button's context, checked on every callback
    callback_host: str = "127.0.0.1"
    callback_port: int = 3001
    callback_url: str | None = None  # what Mattermost calls (default http://HOST:PORT/mattermost/actions)
    approvers_channel: str | None = None


def to_post(message: Outbound, callback_url: str, action_token: str) -> dict[str, Any]:
    """`Outbound` → a Mattermost post (markdown message + interactive attachment)."""
    lang = message.lang
    parts = [message.text]
    if message.mention is not None and message.mention.display_name:
        parts[0] = f"@{message.mention.display_name} {parts[0]}"
    for out in message.outputs:
        body = cut(out.text.replace("```", "'''"), 4000, lang)
        parts.append(f"{'✅' if out.ok else '❌'} **{out.host}**\n```\n{body}\n```")
    post: dict[str, Any] = {"channel_id": message.place.channel_id, "message": cut("\n\n".join(parts), MESSAGE_MAX,
                                                                                    lang)}
    if message.place.thread_id:
        post["root_id"] = message.place.thread_id
    card = message.card
    if card is not None:
        actions = [{"id": f"chatops{n}", "name": b.label[:60], "type": "button",
                    "style": {"primary": "primary", "danger": "danger"}.get(b.style.value, "default")
                    if b.style is not ButtonStyle.DEFAULT else "default",
                    "integration": {"url": callback_url, "context": {
                        "token": action_token, "payload": b.payload, "root": message.place.thread_id or ""}}}
                   for n, b in enumerate(card.buttons)]
        attachment: dict[str, Any] = {"title": card.title, "fields": [
            {"title": k, "value": v, "short": len(v) < 40} for k, v in card.fields], "actions": actions}
        if card.expires_at is not None:
            when = card.expires_at.strftime("%Y-%m-%d %H:%M UTC")
            attachment["footer"] = f"Expire le {when}" if lang == "fr" else f"Expires {when}"
        post["props"] = {"attachments": [attachment]}
    return post


class MattermostBot:
    name = "mattermost"

    def __init__(self, door: PlatformDoor, config: MattermostConfig) -> None:
        self.door, self.config = door, config
        self.base = config.url.rstrip("/")
        self._session: ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._ws: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.bot_id = ""
        self.username = ""
        self.port: int | None = None
        self.callback_url = config.callback_url or ""

    # ---- lifecycle

    async def run(self) -> None:
        session = self._session = ClientSession(headers={"Authorization": f"Bearer {self.config.token}"})
        async with session.get(f"{self.base}/api/v4/users/me") as response:
            if response.status != 200:
                raise ConnectionError(f"users/me answered {response.status}")
            me = await response.json()
        self.bot_id, self.username = str(me["id"]), str(me.get("username", ""))
        if self._runner is None:
            app = web.Application()
            app.router.add_post(CALLBACK_PATH, self._on_callback)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.config.callback_host, self.config.callback_port)
            await site.start()
            sockets = getattr(site._server, "sockets", None) or []  # the port bound, when 0
            self.port = sockets[0].getsockname()[1] if sockets else self.config.callback_port
            self.callback_url = self.config.callback_url or \
                f"http://{self.config.callback_host}:{self.port}{CALLBACK_PATH}"
        ws_url = re.sub(r"^http", "ws", self.base) + "/api/v4/websocket"
        async with session.ws_connect(ws_url, heartbeat=30) as ws:
            self._ws = ws
            await ws.send_json({"seq": 1, "action": "authentication_challenge", "data": {"token": self.config.token}})
            log.info("mattermost bot connected as @%s", self.username)
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                event = json.loads(msg.data)
                if event.get("event") == "posted":
                    self._spawn(self._on_posted(event))
        raise ConnectionError("the Mattermost WebSocket closed")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- Mattermost → door

    async def _on_posted(self, event: dict[str, Any]) -> None:
        data = event.get("data") or {}
        try:
            post = json.loads(data.get("post") or "{}")
            mentions = json.loads(data.get("mentions") or "[]")
        except ValueError:
            return
        if post.get("user_id") == self.bot_id or post.get("type"):  # our own posts, system messages
            return
        direct = data.get("channel_type") == "D"
        text = str(post.get("message", ""))
        if not direct and self.bot_id not in mentions and f"@{self.username}" not in text:
            return  # in channels, only what is addressed to the bot
        text = re.sub(rf"@{re.escape(self.username)}\b", "", text).strip() if self.username else text.strip()
        thread = post.get("root_id") or (None if direct else post.get("id"))
        place = Place(Platform.MATTERMOST, str(data.get("team_id") or ""), str(post.get("channel_id", "")),
                      str(thread) if thread else None, direct=direct)
        who = ChatUser(Platform.MATTERMOST, str(post.get("user_id", "")),
                       str(data.get("sender_name", "")).lstrip("@"))
        await self._deliver(self.door.on_message(Inbound(place, who, text, str(post.get("id", "")))))

    async def _on_callback(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            context = body.get("context") or {}
            token = str(context.get("token", ""))
        except (ValueError, AttributeError):
            return web.json_response({"error": "bad request"}, status=400)
        if not hmac.compare_digest(token.encode(), self.config.action_token.encode()):
            log.warning("mattermost: an action callback without the action token was refused")
            return web.json_response({"error": "unauthorized"}, status=401)
        root = str(context.get("root") or "") or None
        press = ButtonPress(Place(Platform.MATTERMOST, str(body.get("team_id") or ""), str(body.get("channel_id", "")),
                                  root), ChatUser(Platform.MATTERMOST, str(body.get("user_id", "")),
                                                  str(body.get("user_name", ""))),
                            str(context.get("payload", "")), str(body.get("post_id", "")))
        self._spawn(self._deliver(self.door.on_button(press)))
        return web.json_response({})

    async def _deliver(self, replies: Any) -> None:
        try:
            outs = await replies
            for out in outs:
                await self.send(out)
        except Exception:  # one turn's failure never takes the bot down
            log.exception("mattermost: the door failed on an event")

    # ---- door → Mattermost (PlatformSender)

    async def send(self, message: Outbound) -> str:
        if self._session is None:
            raise ConnectionError("not connected")
        post = to_post(message, self.callback_url, self.config.action_token)
        url, body = f"{self.base}/api/v4/posts", post
        if message.to is not None:  # only this user sees it
            url, body = f"{self.base}/api/v4/posts/ephemeral", {"user_id": message.to.user_id, "post": post}
        async with self._session.post(url, json=body) as response:
            body = await response.json()
            if response.status >= 300:
                raise ConnectionError(f"posts answered {response.status}: {body.get('message', '')}")
            return str(body.get("id", ""))
