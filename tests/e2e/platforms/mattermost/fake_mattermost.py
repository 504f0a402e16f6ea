"""A local Mattermost for the tests: REST v4 (`users/me`, `posts`) and the WebSocket (`authentication_challenge`,
`hello`, `posted` events) on loopback, and the server's side of interactive buttons (it POSTs the action's
integration context to the bot's callback URL, as Mattermost does). A test server, not a mock of our code."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import WSMsgType, web

from tests.e2e.platforms.fake_server import SocketServer

TOKEN = "mm-bot-token-for-tests"  # a test value
BOT_ID = "botuserid000000000000000000"
TEAM = "team1"


@dataclass
class MmPost:
    id: str
    channel_id: str
    message: str
    root_id: str
    props: dict[str, Any]
    only_for: str | None = None  # an ephemeral post: the one user who sees it

    def actions(self) -> dict[str, dict[str, Any]]:
        return {a["name"]: a for att in self.props.get("attachments", []) for a in att.get("actions", [])}

    @property
    def all_text(self) -> str:
        parts = [self.message]
        for att in self.props.get("attachments", []):
            parts.append(att.get("title", ""))
            parts += [f"{f['title']}: {f['value']}" for f in att.get("fields", [])]
        return "\n".join(parts)


@dataclass
class FakeMattermost(SocketServer):
    posts: list[MmPost] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _authenticated: bool = False

    def new_id(self) -> str:
        return f"post{next(self._ids):022d}"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/api/v4/users/me", self._me)
        app.router.add_post("/api/v4/posts", self._post)
        app.router.add_post("/api/v4/posts/ephemeral", self._ephemeral)
        app.router.add_get("/api/v4/websocket", self._socket)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _authorized(request: web.Request) -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {TOKEN}"

    async def _me(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"id": "api.context.session_expired.app_error", "status_code": 401}, status=401)
        return web.json_response({"id": BOT_ID, "username": "chatops", "is_bot": True})

    async def _post(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"status_code": 401}, status=401)
        body = await request.json()
        post = MmPost(self.new_id(), body["channel_id"], body.get("message", ""), body.get("root_id", ""),
                      body.get("props") or {})
        self.posts.append(post)
        self._changes.notify()
        return web.json_response({"id": post.id, "channel_id": post.channel_id, "message": post.message,
                                  "root_id": post.root_id, "user_id": BOT_ID}, status=201)

    async def _ephemeral(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"status_code": 401}, status=401)
        body = await request.json()
        inner = body["post"]
        post = MmPost(self.new_id(), inner["channel_id"], inner.get("message", ""), inner.get("root_id", ""),
                      inner.get("props") or {}, only_for=str(body["user_id"]))
        self.posts.append(post)
        self._changes.notify()
        return web.json_response({"id": post.id, "channel_id": post.channel_id}, status=201)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data.get("action") == "authentication_challenge":
                if data.get("data", {}).get("token") != TOKEN:
                    await ws.close()
                    break
                await ws.send_json({"status": "OK", "seq_reply": data.get("seq")})
                await ws.send_json({"event": "hello", "data": {"server_version": "9.11.0"},
                                    "broadcast": {"user_id": BOT_ID}, "seq": 0})
                self._ws, self._authenticated = ws, True
                self._changes.notify()
        return ws

    async def connected(self, timeout_s: float = 15.0) -> None:
        await self._changes.until(lambda: self._authenticated and self._ws is not None and not self._ws.closed,
                                  timeout_s, lambda: "the bot never authenticated on the WebSocket")

    async def say(self, user_id: str, user_name: str, message: str, *, channel: str = "ops-channel",
                  channel_type: str = "O", root_id: str = "") -> str:
        """A user posts; the server broadcasts a `posted` event (mentions computed like Mattermost does)."""
        await self.connected()
        assert self._ws is not None
        post_id = self.new_id()
        post = {"id": post_id, "user_id": user_id, "channel_id": channel, "root_id": root_id, "message": message,
                "type": "", "create_at": int(time.time() * 1000)}
        mentions = [BOT_ID] if "@chatops" in message or channel_type == "D" else []
        await self._ws.send_json({"event": "posted", "data": {
            "channel_display_name": channel, "channel_name": channel, "channel_type": channel_type,
            "post": json.dumps(post), "sender_name": f"@{user_name}", "team_id": TEAM,
            "mentions": json.dumps(mentions)}, "broadcast": {"channel_id": channel}, "seq": 1})
        return post_id

    async def press(self, post: MmPost, label: str, user_id: str, user_name: str,
                    context: dict[str, Any] | None = None) -> httpx.Response:
        """What the Mattermost server does when a user clicks a button: POST the integration to its URL."""
        action = post.actions()[label]
        body = {"user_id": user_id, "user_name": user_name, "channel_id": post.channel_id, "team_id": TEAM,
                "post_id": post.id, "trigger_id": "trigger", "type": "", "data_source": "",
                "context": context if context is not None else action["integration"]["context"]}
        async with httpx.AsyncClient(timeout=20) as http:
            return await http.post(action["integration"]["url"], json=body)

    async def wait_posts(self, count: int, timeout_s: float = 20.0) -> list[MmPost]:
        await self._changes.until(lambda: len(self.posts) >= count, timeout_s,
                          lambda: f"expected {count} posts, got {len(self.posts)}: {self.posts}")
        return self.posts
