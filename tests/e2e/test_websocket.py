"""WebSocket `/api/v1/ws` through the real app (Starlette TestClient): authentication, origin, typed events.

The app owns its container (built in the lifespan, in the TestClient's event loop) on an embedded
SQLite database with `localhost` registered, so a low-risk chat turn really runs on this machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.entrypoints.api.routers.ws import POLICY_VIOLATION
from tests.conftest import make_settings
from tests.e2e.conftest import ADMIN_EMAIL, CHEAP_ARGON2, PASSWORD, bearer

DEADLINE_S = 60.0
REDIS_URL = os.environ.get("CHATOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def client(tmp_path: Path, sqlite_template: Path) -> Iterator[TestClient]:
    db = tmp_path / "chatops.db"
    db.write_bytes(sqlite_template.read_bytes())
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{db}", register_localhost=True,
                             admin_email=ADMIN_EMAIL, admin_password=PASSWORD,
                             rate_limit_commands="1000/minute", rate_limit_api="10000/minute", **CHEAP_ARGON2)
    with TestClient(create_app(settings)) as c:
        yield c


def _token(client: TestClient) -> str:
    response = client.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _conversation(client: TestClient, token: str) -> str:
    response = client.post("/api/v1/conversations", json={}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _until(ws: Any, done: Any) -> list[dict[str, Any]]:
    """Frames received until `done(frame)`; bounded by a deadline (receive blocks, the deadline caps the count)."""
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        frame: dict[str, Any] = ws.receive_json()
        frames.append(frame)
        if done(frame):
            return frames
    raise AssertionError(f"no final frame before the deadline: {frames}")


def _is_final(frame: dict[str, Any]) -> bool:
    return frame["type"] in ("error", "confirmation_required") or (
        frame["type"] == "message" and frame.get("role") == "assistant")


def test_bearer_connection_carries_typed_events_in_order(client: TestClient) -> None:
    token = _token(client)
    cid = _conversation(client, token)
    with client.websocket_connect("/api/v1/ws", headers=bearer(token)) as ws:
        ws.send_json({"type": "ping", "id": "p1"})
        assert ws.receive_json() == {"type": "pong", "id": "p1"}
        ws.send_json({"type": "message", "conversation_id": cid, "text": "check disk on localhost"})
        frames = _until(ws, _is_final)
    kinds = [f["type"] for f in frames]
    assert all(f["conversation_id"] == cid for f in frames)
    assert kinds[0] == "message" and frames[0]["role"] == "user"
    assert frames[0]["content"] == "check disk on localhost"
    assert "progress" in kinds and "result" in kinds, kinds
    assert kinds.index("progress") < kinds.index("result") < len(kinds) - 1
    progress = next(f for f in frames if f["type"] == "progress")
    assert progress["host"] == "localhost"
    result = next(f for f in frames if f["type"] == "result")
    assert result["ok"] is True and "localhost" in result["hosts"]
    assert frames[-1]["type"] == "message" and frames[-1]["role"] == "assistant" and frames[-1]["content"]


def test_cookie_connection_with_own_origin(client: TestClient) -> None:
    token = _token(client)  # also sets the cc_access cookie on the client
    assert client.cookies.get("cc_access")
    cid = _conversation(client, token)
    with client.websocket_connect("/api/v1/ws", headers={"Origin": "http://testserver"}) as ws:
        ws.send_json({"type": "ping", "id": 7})
        assert ws.receive_json() == {"type": "pong", "id": 7}
        ws.send_json({"type": "message", "conversation_id": cid, "text": "hello"})
        frames = _until(ws, _is_final)
    assert frames[0]["type"] == "message" and frames[0]["role"] == "user"
    assert frames[-1]["role"] == "assistant"


def test_cookie_connection_without_origin_is_refused(client: TestClient) -> None:
    _token(client)
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/api/v1/ws"):
        pass
    assert refused.value.code == POLICY_VIOLATION


def test_no_credentials_is_refused(client: TestClient) -> None:
    # Without any credential the socket counts as a cookie connection, which must send an Origin.
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/api/v1/ws"):
        pass
    assert refused.value.code == POLICY_VIOLATION
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/api/v1/ws", headers={"Origin": "http://testserver"}):
        pass
    assert refused.value.code == POLICY_VIOLATION
    assert refused.value.reason == "authentication required"


def test_bad_token_is_refused(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/api/v1/ws", headers=bearer("not-a-token")):
        pass
    assert refused.value.code == POLICY_VIOLATION


def test_foreign_origin_is_refused(client: TestClient) -> None:
    token = _token(client)
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/api/v1/ws", headers={**bearer(token), "Origin": "https://evil.example"}):
        pass
    assert refused.value.code == POLICY_VIOLATION
    assert refused.value.reason == "origin not allowed"


def test_subprotocol_bearer(client: TestClient) -> None:
    token = _token(client)
    client.cookies.clear()
    with client.websocket_connect("/api/v1/ws", subprotocols=["chatops", f"bearer.{token}"]) as ws:
        assert ws.accepted_subprotocol == "chatops"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong", "id": None}


def test_medium_risk_request_asks_confirmation(client: TestClient) -> None:
    token = _token(client)
    cid = _conversation(client, token)
    with client.websocket_connect("/api/v1/ws", headers=bearer(token)) as ws:
        ws.send_json({"type": "message", "conversation_id": cid, "text": "restart nginx on localhost"})
        frames = _until(ws, _is_final)
        card = frames[-1]
        if card["type"] != "confirmation_required":  # localhost runs no known service to restart: a question
            assert card["type"] == "message" and card["role"] == "assistant", frames
            pytest.skip("no medium-risk action applies to localhost without the fleet: "
                        f"the assistant asked {card['content']!r}")
        assert card["action"] == "service.restart" and card["targets"] == ["localhost"]
        assert card["risk"] == "medium" and len(card["action_hash"]) == 64
        ws.send_json({"type": "message", "conversation_id": cid, "text": "x" * 2001})
        error = _until(ws, lambda f: f["type"] == "error")[-1]
        assert error["code"] == "bad_frame"


def test_a_turn_on_one_replica_reaches_the_websocket_on_another_through_redis(
    tmp_path: Path, sqlite_template: Path,
) -> None:
    """Two API replicas (two apps, two containers) on one database and one Redis: the browser's socket
    is on replica A, the turn is posted to replica B."""
    db = tmp_path / "chatops.db"
    db.write_bytes(sqlite_template.read_bytes())
    common: dict[str, Any] = dict(register_localhost=True, admin_email=ADMIN_EMAIL, admin_password=PASSWORD,
                                  redis_url=REDIS_URL, rate_limit_commands="1000/minute",
                                  rate_limit_api="10000/minute", **CHEAP_ARGON2)
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{db}", **common)
    with TestClient(create_app(settings)) as replica_a, TestClient(create_app(settings)) as replica_b:
        token = _token(replica_b)
        cid = _conversation(replica_b, token)
        with replica_a.websocket_connect("/api/v1/ws", headers=bearer(token)) as ws:
            ws.send_json({"type": "ping", "id": "ready"})
            assert ws.receive_json() == {"type": "pong", "id": "ready"}
            posted = replica_b.post(f"/api/v1/conversations/{cid}/messages", json={"text": "uptime on localhost"},
                                    headers=bearer(token))
            assert posted.status_code == 200, posted.text
            frames = _until(ws, _is_final)
    assert frames[0]["type"] == "message" and frames[0]["content"] == "uptime on localhost"
    assert [f["type"] for f in frames].count("result") == 1
    assert frames[-1]["content"] == posted.json()["message"]["content"]


def test_a_binary_or_non_json_frame_is_answered_bad_frame_and_the_socket_stays(client: TestClient) -> None:
    token = _token(client)
    with client.websocket_connect("/api/v1/ws", headers=bearer(token)) as ws:
        ws.send_bytes(b"\x00\x01binary")
        assert ws.receive_json()["code"] == "bad_frame"
        ws.send_text("{not json")
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["code"] == "bad_frame"
        ws.send_json({"type": "ping", "id": "still-here"})
        assert ws.receive_json() == {"type": "pong", "id": "still-here"}
