"""Every API route × every credential (anonymous, the three roles, an admin's `read` and `execute` API
tokens): the expected status comes from ONE table.

The routes are enumerated from the app itself; a route without an entry here fails the test,
so a new endpoint cannot ship without deciding who may call it. Bodies are valid, so a refusal
is the authorization's (401/403), not validation's. Destructive calls target random ids
(an allowed role gets 404: it passed authorization and found nothing).

API tokens belong to an admin (the worst case). Their column follows one rule (`token_expectation`):
a `read` token may only read (every other method is 403 before the route runs), administration is
never reachable with a token, and anything else answers as it does for the owner; `tokens=` overrides
the rule where a route answers differently, and says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from pydantic import SecretStr
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, PASSWORD, TEST_CLI, add_user, bearer, client_for, login
from tests.fleet.fleet import free_ports

ROLES = ("anonymous", "viewer", "operator", "admin")
TOKENS = ("read_token", "execute_token")
CREDENTIALS = (*ROLES, *TOKENS)
Body = Callable[["Ctx"], Any] | None


@dataclass
class Ctx:
    server_id: str
    target_user_id: str
    role: str


@dataclass(frozen=True)
class Entry:
    expect: tuple[int, int, int, int]  # anonymous, viewer, operator, admin
    body: Body = None
    fresh_session: bool = False  # the call ends the caller's session: use a throw-away login
    last: bool = False  # ends every session of the caller: run it after everything else
    random_ids: bool = False  # destructive: aim at ids that do not exist
    tokens: tuple[int, int] | None = None  # read token, execute token; None: `token_expectation`


def _rid(_: Ctx | None = None) -> str:
    return str(uuid.uuid4())


A401_V403 = (401, 403, 403)  # anonymous, viewer, operator refused for admin-only routes

TABLE: dict[tuple[str, str], Entry] = {
    # public
    ("GET", "/healthz"): Entry((200, 200, 200, 200)),
    ("GET", "/readyz"): Entry((200, 200, 200, 200)),
    ("GET", "/api/docs"): Entry((200, 200, 200, 200)),
    ("GET", "/api/openapi.json"): Entry((200, 200, 200, 200)),
    ("GET", "/api/docs/init.js"): Entry((200, 200, 200, 200)),
    ("GET", "/metrics"): Entry((200, 200, 200, 200)),  # open unless CHATOPS_METRICS_TOKEN is set (unset here)
    ("POST", "/api/v1/integrations/alertmanager"): Entry((503, 503, 503, 503), body=lambda c: {"alerts": []}),
    # sessions
    ("POST", "/api/v1/auth/login"): Entry((200, 200, 200, 200),
                                          body=lambda c: {"email": "target@example.com", "password": PASSWORD}),
    ("POST", "/api/v1/auth/refresh"): Entry((401, 401, 401, 401), body=lambda c: {"refresh_token": "cc_rt_unknown"},
                                            tokens=(401, 401)),  # public: the refresh token is the credential
    ("GET", "/api/v1/auth/me"): Entry((401, 200, 200, 200)),
    ("PATCH", "/api/v1/auth/me"): Entry((401, 200, 200, 200), body=lambda c: {"language": "en"}),
    ("POST", "/api/v1/auth/password"): Entry((401, 401, 401, 401), body=lambda c: {
        "current_password": "not-the-password", "new_password": "Another-Long-Pass-77"}),
    # 2FA is an interactive login's business: an execute token gets 401 "needs an interactive login"
    ("POST", "/api/v1/auth/2fa/enroll"): Entry((401, 200, 200, 200), tokens=(403, 401)),
    ("POST", "/api/v1/auth/2fa/confirm"): Entry((401, 401, 401, 401), body=lambda c: {"code": "12x456"},
                                                tokens=(403, 401)),
    ("POST", "/api/v1/auth/2fa/disable"): Entry((401, 409, 409, 409), body=lambda c: {"password": PASSWORD,
                                                                                      "code": "123456"},
                                                tokens=(403, 401)),
    ("POST", "/api/v1/auth/logout"): Entry((401, 204, 204, 204), fresh_session=True),
    ("POST", "/api/v1/auth/logout-all"): Entry((401, 204, 204, 204), last=True),
    # servers: viewer+ read, admin write
    ("GET", "/api/v1/servers"): Entry((401, 200, 200, 200)),
    ("POST", "/api/v1/servers"): Entry((*A401_V403, 201), body=lambda c: {
        "name": f"m-{c.role}-{uuid.uuid4().hex[:6]}", "hostname": "m.example.com", "ip_address": "10.9.9.9",
        "ssh_user": "deploy"}),
    ("GET", "/api/v1/servers/{server_id}"): Entry((401, 200, 200, 200)),
    ("POST", "/api/v1/servers/import"): Entry((*A401_V403, 200), body=lambda c: {
        "inventory": f"[matrix]\nimported-{c.role} ansible_host=10.0.0.77\n"}),
    ("POST", "/api/v1/servers/{server_id}/test"): Entry((*A401_V403, 200)),
    ("PATCH", "/api/v1/servers/{server_id}"): Entry((*A401_V403, 200), body=lambda c: {"port": 22}),
    ("DELETE", "/api/v1/servers/{server_id}"): Entry((*A401_V403, 404), random_ids=True),
    ("PUT", "/api/v1/servers/{server_id}/secret"): Entry((*A401_V403, 204), body=lambda c: {
        "kind": "password", "value": "matrix-ssh-password"}),
    ("DELETE", "/api/v1/servers/{server_id}/secret"): Entry((*A401_V403, 204)),
    # users and permissions: admin
    ("GET", "/api/v1/commands"): Entry((401, 200, 200, 200)),
    ("GET", "/api/v1/users"): Entry((*A401_V403, 200)),
    ("POST", "/api/v1/users"): Entry((*A401_V403, 201), body=lambda c: {
        "email": f"new-{c.role}-{uuid.uuid4().hex[:6]}@example.com", "name": "New", "role": "viewer",
        "password": PASSWORD}),
    ("GET", "/api/v1/users/{user_id}"): Entry((*A401_V403, 200)),
    ("PATCH", "/api/v1/users/{user_id}"): Entry((*A401_V403, 200), body=lambda c: {"role": "viewer"}),
    ("POST", "/api/v1/users/{user_id}/disable"): Entry((*A401_V403, 200)),
    ("POST", "/api/v1/users/{user_id}/enable"): Entry((*A401_V403, 200)),
    ("POST", "/api/v1/users/{user_id}/2fa/reset"): Entry((*A401_V403, 200)),
    ("POST", "/api/v1/users/{user_id}/password"): Entry((*A401_V403, 204), body=lambda c: {"password": PASSWORD}),
    ("GET", "/api/v1/users/{user_id}/permissions"): Entry((*A401_V403, 200)),
    ("PUT", "/api/v1/users/{user_id}/permissions/{server_id}"): Entry((*A401_V403, 204), body=lambda c: {
        "can_read": True, "can_execute": True}),
    ("DELETE", "/api/v1/users/{user_id}/permissions/{server_id}"): Entry((*A401_V403, 204)),
    ("GET", "/api/v1/users/{user_id}/tag-permissions"): Entry((*A401_V403, 200)),
    ("PUT", "/api/v1/users/{user_id}/tag-permissions/{tag}"): Entry((*A401_V403, 204), body=lambda c: {
        "can_read": True, "can_execute": True}),
    ("DELETE", "/api/v1/users/{user_id}/tag-permissions/{tag}"): Entry((*A401_V403, 204)),
    # API tokens, audit, security settings: admin
    ("POST", "/api/v1/tokens"): Entry((*A401_V403, 201), body=lambda c: {"name": "ci", "scopes": ["read"]}),
    ("GET", "/api/v1/tokens"): Entry((*A401_V403, 200)),
    ("DELETE", "/api/v1/tokens/{token_id}"): Entry((*A401_V403, 404)),
    ("POST", "/api/v1/tokens/{token_id}/rotate"): Entry((*A401_V403, 404), body=lambda c: {"grace_hours": 1}),
    ("GET", "/api/v1/audit"): Entry((*A401_V403, 200)),
    ("GET", "/api/v1/audit/verify"): Entry((*A401_V403, 200)),
    ("GET", "/api/v1/security/settings"): Entry((*A401_V403, 200)),
    ("PUT", "/api/v1/security/settings"): Entry((*A401_V403, 200), body=lambda c: {"require_2fa_for_admins": False}),
    # monitoring (viewer+ read; resolving an alert is an operator's job)
    ("GET", "/api/v1/alerts"): Entry((401, 200, 200, 200)),
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): Entry((401, 403, 404, 404), tokens=(403, 404)),
    ("GET", "/api/v1/monitoring/summary"): Entry((401, 200, 200, 200)),
    ("GET", "/api/v1/monitoring/servers/{server_id}/latest"): Entry((401, 200, 200, 200)),
    ("GET", "/api/v1/monitoring/servers/{server_id}/series"): Entry((401, 200, 200, 200)),
    # chat
    ("POST", "/api/v1/conversations"): Entry((401, 201, 201, 201), body=lambda c: {}),
    ("GET", "/api/v1/conversations"): Entry((401, 200, 200, 200)),
    ("DELETE", "/api/v1/conversations/{conversation_id}"): Entry((401, 404, 404, 404)),
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): Entry((401, 404, 404, 404)),
    ("GET", "/api/v1/conversations/{conversation_id}/commands"): Entry((401, 404, 404, 404)),
    ("GET", "/api/v1/conversations/{conversation_id}/commands/{command_id}/output"): Entry((401, 404, 404, 404)),
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): Entry((401, 404, 404, 404),
                                                                       body=lambda c: {"text": "status of nginx"}),
    # approvals: the list is filtered by the service; approve/reject look the request up before the
    # admin check (4-eyes, `can_approve`), so an unknown id is a 404 for every logged-in role
    ("GET", "/api/v1/approvals"): Entry((401, 200, 200, 200)),
    ("POST", "/api/v1/approvals/{approval_id}/approve"): Entry((401, 404, 404, 404)),
    ("POST", "/api/v1/approvals/{approval_id}/reject"): Entry((401, 404, 404, 404),
                                                             body=lambda c: {"reason": "not now"}),
}
WEBSOCKETS = {"/api/v1/ws"}  # checked below: anonymous refused, any role accepted


def token_expectation(method: str, entry: Entry) -> tuple[int, int]:
    """What an admin's `read` and `execute` API tokens get, unless the entry says otherwise."""
    if entry.tokens is not None:
        return entry.tokens
    anonymous, viewer, _, admin = entry.expect
    if anonymous != 401:  # public: no principal involved
        return anonymous, anonymous
    if viewer == 403 and admin != 403:  # administration: never with a token
        return 403, 403
    return (admin if method == "GET" else 403), admin


def expectation(method: str, entry: Entry, credential: str) -> int:
    if credential in TOKENS:
        return token_expectation(method, entry)[TOKENS.index(credential)]
    return entry.expect[ROLES.index(credential)]


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every HTTP route of the API (everything under /api plus health and metrics)."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        path, methods = route.path_format, route.methods
        if methods and (path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")):
            found |= {(m, path) for m in methods - {"HEAD", "OPTIONS"}}
    return found


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, **CHEAP_ARGON2, rate_limit_api="100000/minute")


def fill(path: str, ctx: Ctx, *, random_ids: bool = False) -> str:
    values = {} if random_ids else {"server_id": ctx.server_id, "user_id": ctx.target_user_id}
    out = path
    for name in ("server_id", "user_id", "token_id", "alert_id", "conversation_id", "approval_id", "command_id"):
        out = out.replace("{" + name + "}", values.get(name) or _rid())
    out = out.replace("{tag}", "web")
    return out


def test_every_api_route_has_an_entry_in_the_table(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    routes = api_routes(app)
    missing = sorted(routes - set(TABLE))
    stale = sorted(set(TABLE) - routes)
    assert not missing, f"routes without an RBAC entry: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"
    websockets = {r.path for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIWebSocketRoute)}
    assert websockets == WEBSOCKETS


async def test_every_route_answers_each_role_as_the_table_says(container: bootstrap.Container) -> None:
    server = await server_service.add_server(container.uow, TEST_CLI, Server(
        name="matrix-01", hostname="matrix-01.example.com", ip_address="127.0.0.1", port=free_ports(1)[0],
        ssh_user="deploy"))  # loopback, a closed port: the connection test fails fast and touches nothing
    target = await add_user(container, "target@example.com", Role.OPERATOR)
    clients: dict[str, httpx.AsyncClient] = {"anonymous": client_for(container)}
    for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN):
        user = await add_user(container, f"{role.value}@example.com", role)
        assert user.id is not None and server.id is not None
        if role is not Role.ADMIN:  # per-server rows: the table's 200s for viewers are on a server they may read
            await user_service.set_permission(container.uow, TEST_CLI, user.id, server.name,
                                              ServerPermission(can_read=True))
        async with client_for(container) as anonymous:
            tokens = await login(anonymous, user.email)
        clients[role.value] = client_for(container, headers=bearer(tokens["access_token"]))
    owner = await add_user(container, "token-owner@example.com", Role.ADMIN)  # not the admin column: its
    async with client_for(container) as anonymous:                          # logout-all would end these
        owner_session = bearer((await login(anonymous, owner.email))["access_token"])
        for credential, scopes in (("read_token", ["read"]), ("execute_token", ["read", "execute"])):
            made = await anonymous.post("/api/v1/tokens", json={"name": credential, "scopes": scopes},
                                        headers=owner_session)
            assert made.status_code == 201, made.text
            clients[credential] = client_for(container, headers=bearer(made.json()["token"]))
    mismatches: list[str] = []
    ordered = sorted(TABLE.items(), key=lambda kv: kv[1].last)
    try:
        for credential in CREDENTIALS:
            ctx = Ctx(server_id=str(server.id), target_user_id=str(target.id), role=credential)
            for (method, path), entry in ordered:
                client = clients[credential]
                if entry.fresh_session and credential in ROLES and credential != "anonymous":
                    async with client_for(container) as anonymous:
                        tokens = await login(anonymous, f"{credential}@example.com")
                    client = client_for(container, headers=bearer(tokens["access_token"]))
                body = entry.body(ctx) if entry.body else None
                response = await client.request(method, fill(path, ctx, random_ids=entry.random_ids), json=body)
                client.cookies.clear()  # bearer clients only: the login answers' cookies are not kept
                expected = expectation(method, entry, credential)
                if response.status_code != expected:
                    mismatches.append(f"{credential:13} {method:6} {path}: {response.status_code} "
                                      f"(expected {expected}) {response.text[:160]}")
                if response.status_code >= 400 and response.status_code not in (405,):
                    assert response.headers["content-type"].startswith("application/problem+json"), path
    finally:
        for client in clients.values():
            await client.aclose()
    assert not mismatches, "\n".join(mismatches)


def test_the_chat_websocket_refuses_anonymous_and_accepts_a_logged_in_user(settings: Settings) -> None:
    config = settings.model_copy(update={"admin_email": "ws-admin@example.com", "admin_password": SecretStr(PASSWORD)})
    app = create_app(config)  # the lifespan builds the container (and this first admin) on the client's loop
    with TestClient(app, client=("203.0.113.7", 4242)) as client:
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(
                "/api/v1/ws", headers={"origin": "http://testserver"}) as ws:
            ws.receive_json()
        token = client.post("/api/v1/auth/login", json={"email": "ws-admin@example.com", "password": PASSWORD})
        assert token.status_code == 200, token.text
        with client.websocket_connect("/api/v1/ws", headers={"origin": "http://testserver"},
                                      subprotocols=["chatops", f"bearer.{token.json()['access_token']}"]) as ws:
            assert ws.accepted_subprotocol == "chatops"


# Every WebSocket message type × credential: the `code` of the answer (`pong` for a ping). A chat message
# aims at a conversation that does not exist, so a credential that may send one gets `not_found` (it
# passed the scope guard) and a read token `forbidden` (it did not).
WS_MESSAGES: dict[str, dict[str, str]] = {
    "ping": {c: "pong" for c in CREDENTIALS if c != "anonymous"},
    "message": {**{c: "not_found" for c in CREDENTIALS if c != "anonymous"}, "read_token": "forbidden"},
    "unknown": {c: "bad_frame" for c in CREDENTIALS if c != "anonymous"},
}
# The SSE stream (`GET /events/alerts`) is for browser sessions (the `cc_access` cookie): API tokens are
# refused there even when sent as that cookie.
SSE_STREAM = {"anonymous": 401, "viewer": 200, "operator": 200, "admin": 200, "read_token": 401,
              "execute_token": 401}


def _ws_frame(kind: str) -> dict[str, Any]:
    if kind == "message":
        return {"type": "message", "conversation_id": _rid(), "text": "restart nginx on web-01"}
    return {"type": kind, "id": "m1"} if kind == "ping" else {"type": kind}


def test_every_websocket_message_type_and_the_event_stream_answer_each_credential_as_the_tables_say(
        settings: Settings) -> None:
    config = settings.model_copy(update={"admin_email": "ws-admin@example.com", "admin_password": SecretStr(PASSWORD)})
    app = create_app(config)
    credentials: dict[str, str] = {}
    with TestClient(app, client=("203.0.113.7", 4242)) as client:
        def login_as(email: str) -> str:
            answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            client.cookies.clear()
            return str(answer.json()["access_token"])

        admin = login_as("ws-admin@example.com")
        credentials["admin"] = admin
        for role in ("viewer", "operator"):
            made = client.post("/api/v1/users", headers=bearer(admin), json={
                "email": f"{role}@example.com", "name": role, "role": role, "password": PASSWORD})
            assert made.status_code == 201, made.text
            credentials[role] = login_as(f"{role}@example.com")
        for credential, scopes in (("read_token", ["read"]), ("execute_token", ["read", "execute"])):
            made = client.post("/api/v1/tokens", headers=bearer(admin), json={"name": credential, "scopes": scopes})
            assert made.status_code == 201, made.text
            credentials[credential] = made.json()["token"]
        mismatches: list[str] = []
        for kind, expected in WS_MESSAGES.items():
            with pytest.raises(WebSocketDisconnect), client.websocket_connect(  # anonymous: refused at once
                    "/api/v1/ws", headers={"origin": "http://testserver"}) as ws:
                ws.receive_json()
            for credential, code in expected.items():
                with client.websocket_connect("/api/v1/ws", subprotocols=[
                        "chatops", f"bearer.{credentials[credential]}"]) as ws:
                    ws.send_json(_ws_frame(kind))
                    answer = ws.receive_json()
                got = answer["type"] if answer["type"] == "pong" else answer.get("code")
                if got != code:
                    mismatches.append(f"{credential:13} ws {kind:8}: {got} (expected {code}) {answer}")
        app.state.stopping.set()  # event streams end after their first chunk: each answer is complete
        for credential, status in SSE_STREAM.items():
            client.cookies.clear()
            if credential != "anonymous":
                client.cookies.set("cc_access", credentials[credential])
            headers = bearer(credentials[credential]) if credential in TOKENS else {}
            answer = client.get("/events/alerts", headers=headers)
            if answer.status_code != status:
                mismatches.append(f"{credential:13} GET /events/alerts: {answer.status_code} (expected {status})")
            elif status == 200:
                assert answer.headers["content-type"].startswith("text/event-stream")
    assert not mismatches, "\n".join(mismatches)


async def test_servers_a_user_may_not_read_are_neither_listed_nor_shown(container: bootstrap.Container) -> None:
    seen = await server_service.add_server(container.uow, TEST_CLI, Server(
        name="seen-01", hostname="seen-01.example.com", ip_address="10.0.0.61", ssh_user="deploy"))
    hidden = await server_service.add_server(container.uow, TEST_CLI, Server(
        name="hidden-01", hostname="hidden-01.example.com", ip_address="10.0.0.62", ssh_user="deploy"))
    viewer = await add_user(container, "narrow@example.com", Role.VIEWER)
    admin = await add_user(container, "wide@example.com", Role.ADMIN)
    assert viewer.id is not None
    await user_service.set_permission(container.uow, TEST_CLI, viewer.id, "seen-01", ServerPermission(can_read=True))
    await user_service.set_permission(container.uow, TEST_CLI, viewer.id, "hidden-01", ServerPermission())
    everything = [s.name for s in await server_service.list_servers(container.uow, TEST_CLI)]
    assert {"seen-01", "hidden-01"} <= set(everything)
    for user, names in ((viewer, ["seen-01"]), (admin, everything)):
        async with client_for(container) as anonymous:
            tokens = await login(anonymous, user.email)
        async with client_for(container, headers=bearer(tokens["access_token"])) as client:
            listed = (await client.get("/api/v1/servers")).json()
            assert [s["name"] for s in listed["items"]] == names and listed["total"] == len(names)
            assert (await client.get(f"/api/v1/servers/{seen.id}")).status_code == 200
            hidden_status = 404 if user is viewer else 200
            for path in (f"/api/v1/servers/{hidden.id}", f"/api/v1/monitoring/servers/{hidden.id}/latest",
                         f"/api/v1/monitoring/servers/{hidden.id}/series"):
                response = await client.get(path)
                assert response.status_code == hidden_status, (path, response.text)
            if user is viewer:  # the same answer as for a server that does not exist: no inventory leak
                assert response.json()["title"] == "Not Found"
