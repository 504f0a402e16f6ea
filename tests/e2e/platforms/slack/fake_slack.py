"""A local Slack for the tests: it speaks Slack's wire formats on loopback, so that the real slack_sdk and
slack_bolt talk to it as to Slack. It is a test server (like the sshd fleet), not a mock of our code.

- Web API: `POST /api/<method>` with a bearer token, form or JSON bodies, `{"ok": true, …}` answers
  (`auth.test`, `apps.connections.open`, `chat.postMessage`; anything else answers ok).
- Socket Mode: `apps.connections.open` (app-level token `xapp-…`) returns `ws://…/socket`; the server says
  `hello`, pushes envelopes (`events_api`, `slash_commands`, `interactive`) and waits for each `envelope_id` ack.
- HTTP Events mode: `signed_post()` signs a request with the signing secret (v0, timestamp) like Slack does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from tests.e2e.platforms.fake_server import SocketServer

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
TEAM = "T1"
BOT_USER = "UBOT"


@dataclass
class Post:
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    ts: str
    only_for: str | None = None  # chat.postEphemeral: the one user who sees it

    def buttons(self) -> dict[str, str]:
        """Button label → value (the signed payload)."""
        return {e["text"]["text"]: e["value"] for b in self.blocks if b.get("type") == "actions"
                for e in b["elements"]}

    @property
    def all_text(self) -> str:
        parts = [self.text]
        for b in self.blocks:
            if isinstance(b.get("text"), dict):
                parts.append(b["text"]["text"])
            parts += [f["text"] for f in b.get("fields", [])]
        return "\n".join(parts)


@dataclass
class FakeSlack(SocketServer):
    posts: list[Post] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    refuse_connections: bool = False  # an outage: apps.connections.open answers an error
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # ---- Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        raw = await request.text()
        if request.content_type == "application/json":
            body: dict[str, Any] = json.loads(raw or "{}")
        else:
            body = dict(parse_qsl(raw))
            token = token or str(body.get("token", ""))
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            if self.refuse_connections:
                return web.json_response({"ok": False, "error": "service_unavailable"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if token != BOT_TOKEN:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "chatops",
                                      "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BBOT",
                                      "is_enterprise_install": False})
        if method in ("chat.postMessage", "chat.postEphemeral"):
            blocks = body.get("blocks") or []
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            ts = f"{1700000000 + next(self._ts)}.000100"
            self.posts.append(Post(str(body["channel"]), str(body.get("text", "")), blocks,
                                   str(body["thread_ts"]) if body.get("thread_ts") else None, ts,
                                   str(body["user"]) if method == "chat.postEphemeral" else None))
            self._changes.notify()
            if method == "chat.postEphemeral":
                return web.json_response({"ok": True, "message_ts": ts})
            return web.json_response({"ok": True, "channel": body["channel"], "ts": ts,
                                      "message": {"type": "message", "text": body.get("text", ""), "ts": ts}})
        return web.json_response({"ok": True})

    # ---- Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self._changes.notify()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake-slack"},
                            "connection_info": {"app_id": "A1"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
                    self._changes.notify()
        return ws

    async def connected(self, timeout_s: float = 15.0) -> None:
        await self._changes.until(lambda: self._ws is not None and not self._ws.closed, timeout_s,
                                  lambda: "the bot never opened the Socket Mode connection")

    async def push(self, kind: str, payload: dict[str, Any], timeout_s: float = 15.0) -> dict[str, Any]:
        """Send one envelope and wait for the bot's ack."""
        await self.connected()
        assert self._ws is not None
        envelope = str(uuid.uuid4())
        await self._ws.send_json({"envelope_id": envelope, "type": kind, "payload": payload,
                                  "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                  "retry_reason": ""})
        await self._changes.until(lambda: envelope in self.acks, timeout_s, lambda: f"no ack for {kind}")
        return self.acks[envelope]

    async def wait_posts(self, count: int, timeout_s: float = 20.0) -> list[Post]:
        await self._changes.until(lambda: len(self.posts) >= count, timeout_s,
                          lambda: f"expected {count} posts, got {len(self.posts)}: {self.posts}")
        return self.posts


# ---- payloads as Slack sends them

_event_ids = itertools.count(1)


def mention(user: str, text: str, channel: str = "C-ops", thread_ts: str | None = None,
            event_id: str | None = None) -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    event: dict[str, Any] = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
                             "channel": channel, "event_ts": ts, "team": TEAM}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "event": event, "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):06d}", "event_time": int(time.time())}


def direct(user: str, text: str, channel: str = "D-alice") -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    event = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel,
             "event_ts": ts, "team": TEAM}
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "event": event, "type": "event_callback",
            "event_id": f"Ev{next(_event_ids):06d}", "event_time": int(time.time())}


def slash(user: str, text: str, channel: str = "C-ops") -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM, "team_domain": "test", "channel_id": channel, "channel_name": "ops",
            "user_id": user, "user_name": user.lower(), "command": "/chatops", "text": text, "api_app_id": "A1",
            "response_url": "http://127.0.0.1:9/response", "trigger_id": "trig"}


def click(user: str, post: Post, label: str) -> dict[str, Any]:
    value = post.buttons()[label]
    return {"type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A1", "token": "legacy", "trigger_id": "trig",
            "container": {"type": "message", "message_ts": post.ts, "channel_id": post.channel, "is_ephemeral": False},
            "team": {"id": TEAM, "domain": "test"}, "channel": {"id": post.channel, "name": "ops"},
            "message": {"type": "message", "ts": post.ts, "thread_ts": post.thread_ts, "text": post.text,
                        "blocks": post.blocks},
            "response_url": "http://127.0.0.1:9/response",
            "actions": [{"action_id": "chatops_button_0", "block_id": "chatops_card", "value": value, "type": "button",
                         "action_ts": f"{time.time():.6f}"}]}


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}",
            "Content-Type": "application/json"}


def form_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
