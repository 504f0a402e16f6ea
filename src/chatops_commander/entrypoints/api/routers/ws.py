"""WebSocket `/api/v1/ws`: the chat over one connection, carrying the typed chat events.

Authentication: `Authorization: Bearer <token>`, or the `cc_access` cookie (browsers), or the
subprotocol pair `chatops, bearer.<token>`. A browser's `Origin` must be a configured origin
(`CHATOPS_CORS_ORIGINS`) or this host; a cookie-authenticated connection must send one.

Client frames: `{"type": "message", "conversation_id": ..., "text": ..., "confirmation_id"?: ...,
"action_hash"?: ...}` and `{"type": "ping", "id"?: ...}` (answered `{"type": "pong", "id": ...}`).
Server frames: every chat event of the user's conversations (`message`, `confirmation_required`,
`approval_required`, `progress`, `result`, `error`), including those of turns started elsewhere
(REST, an admin's approval).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from chatops_commander import bootstrap
from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.api.deps import ACCESS_COOKIE, client_ip
from chatops_commander.services import access, auth
from chatops_commander.services.actions import Door
from chatops_commander.services.chat import ChatService
from chatops_commander.services.principal import Principal

router = APIRouter(tags=["chat"])
POLICY_VIOLATION = 1008


def _chat(ws: WebSocket) -> ChatService:
    service: ChatService | None = getattr(ws.app.state, "chat_service", None)
    if service is None:
        service = bootstrap.build_chat_service(ws.app.state.container)
        ws.app.state.chat_service = service
    return service


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    if origin is None:
        return True
    if origin.rstrip("/") in [o.rstrip("/") for o in allowed]:
        return True
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


def _credential(ws: WebSocket) -> tuple[str, bool, str | None]:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False, None
    protocols = [p.strip() for p in ws.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    for p in protocols:
        if p.startswith("bearer."):
            return p[len("bearer."):], False, "chatops"
    return ws.cookies.get(ACCESS_COOKIE, ""), True, None


@router.websocket("/ws")
async def chat_socket(ws: WebSocket) -> None:
    container = ws.app.state.container
    origin = ws.headers.get("origin")
    credential, via_cookie, subprotocol = _credential(ws)
    if not origin_allowed(origin, ws.headers.get("host"), list(container.settings.cors_origins)) or (
            via_cookie and origin is None):
        await ws.close(code=POLICY_VIOLATION, reason="origin not allowed")
        return
    if not credential:
        await ws.close(code=POLICY_VIOLATION, reason="authentication required")
        return
    info = auth.RequestInfo(source_ip=client_ip(ws), request_id=None,
                            user_agent=ws.headers.get("user-agent"))
    try:
        principal = await auth.authenticate(container.uow, container.security, credential, via_cookie=via_cookie,
                                            info=info)
    except DomainError:
        await ws.close(code=POLICY_VIOLATION, reason="authentication failed")
        return
    if principal.user_id is None:
        await ws.close(code=POLICY_VIOLATION, reason="a user account is required")
        return
    chat = _chat(ws)
    await ws.accept(subprotocol=subprotocol)
    queue = chat.hub.subscribe(str(principal.user_id))

    async def writer() -> None:
        while True:
            await ws.send_json(await queue.get())

    sender = asyncio.create_task(writer())
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            frame = _decode(message)
            if frame is _BAD:
                await ws.send_json({"type": "error", "conversation_id": None, "code": "bad_frame",
                                    "message": "Les trames sont des objets JSON en texte, avec un `type`."
                                    if principal.language == "fr" else
                                    "Frames are JSON objects sent as text, with a `type`."})
                continue
            await _handle(ws, chat, principal, frame)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        chat.hub.unsubscribe(str(principal.user_id), queue)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


_BAD = object()


def _decode(message: Any) -> Any:
    """A text frame's JSON; `_BAD` for binary frames and text that is not JSON (the socket stays open)."""
    text = message.get("text")
    if not isinstance(text, str):
        return _BAD
    try:
        return json.loads(text)
    except ValueError:
        return _BAD


async def _handle(ws: WebSocket, chat: ChatService, principal: Principal, frame: Any) -> None:
    if not isinstance(frame, dict):
        await ws.send_json({"type": "error", "conversation_id": None, "code": "bad_frame",
                            "message": "Frames are JSON objects with a `type`."})
        return
    kind = frame.get("type")
    if kind == "ping":
        await ws.send_json({"type": "pong", "id": frame.get("id")})
        return
    if kind != "message":
        await ws.send_json({"type": "error", "conversation_id": None, "code": "bad_frame",
                            "message": "Unknown frame type: use `message` or `ping`."})
        return
    lang = principal.language
    try:
        await access.require_may_change(ws.app.state.container.uow, principal, action="ws message")
    except DomainError as exc:
        await ws.send_json({"type": "error", "conversation_id": frame.get("conversation_id"),
                            "code": exc.code, "message": exc.localized(lang)})
        return
    try:
        conversation_id = UUID(str(frame.get("conversation_id")))
        text = frame.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            raise ValueError("text")
        confirmation_id = frame.get("confirmation_id")
        action_hash = frame.get("action_hash")
        await chat.handle_message(principal, conversation_id, text,
                                  confirmation_id=str(confirmation_id) if confirmation_id else None,
                                  action_hash=str(action_hash) if action_hash else None, door=Door.WS)
    except ValueError:
        await ws.send_json({"type": "error", "conversation_id": frame.get("conversation_id"), "code": "bad_frame",
                            "message": "Un message a besoin de `conversation_id` et de `text` (1 à 2000 caractères)."
                            if lang == "fr" else
                            "A message needs `conversation_id` and `text` (1 to 2000 characters)."})
    except DomainError as exc:
        await ws.send_json({"type": "error", "conversation_id": str(frame.get("conversation_id")),
                            "code": exc.code, "message": exc.localized(lang)})
