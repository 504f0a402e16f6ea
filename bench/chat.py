# ruff: noqa: E501  (the report template holds long Markdown table rows)
"""Chat benchmark: turn latency for a `low` action on `localhost`, and WebSocket round trips.

1. Chat turn (service level, the same call REST and WebSocket make): "show memory on localhost"
   → parse + authorize + run `free` through the local executor + explain + persist (messages,
   `commands` row, audit event). p50/p95 over N turns, one operator, embedded SQLite.
2. The same turn through REST (`POST /api/v1/conversations/{id}/messages`, in-process ASGI).
3. WebSocket: a real uvicorn server on loopback, C concurrent clients (default 100), each
   authenticated by bearer token; round trip = send a `ping` frame → receive `pong`, and
   send a chat `message` ("bonjour") → receive the assistant's `message` event. p50/p95.

    .venv/bin/python -m bench.chat [--turns 200] [--clients 100] [--rounds 10] [--write bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets

from bench.results import free_port, pct, record
from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import AuthMethod, Principal

SECRET = "x7Kq2Vb9Lm4Np8Rs3Tw6Yz1Ac5De0Fg_Hj-Ik2Lo9Pu"
PASSWORD = "Violet-Tram-42-Harbour"
CLI = Principal.cli("bench")




async def setup(data: Path) -> tuple[Settings, bootstrap.Container, list[tuple[str, Any]]]:
    settings = Settings(_env_file=None, data_dir=data, jwt_secret=SECRET, encryption_key=SECRET,  # type: ignore[call-arg]
                        log_level="warning", rate_limit_commands="1000000/minute", rate_limit_api="1000000/minute",
                        password_time_cost=1, password_memory_kib=8192, password_parallelism=1)
    settings = await asyncio.to_thread(bootstrap.prepare_database, settings)
    container = await bootstrap.build(settings)
    users = []
    for i in range(101):
        email = f"op{i}@bench.example"
        user = await user_service.create_user(container.uow, container.security, CLI, email=email,
                                              name=f"op{i}", role=Role.OPERATOR, password=PASSWORD)
        assert user.id is not None
        if i == 0:
            await user_service.set_permission(container.uow, CLI, user.id, "localhost",
                                              ServerPermission(can_read=True))
        users.append((email, user))
    return settings, container, users


async def bench_turns(container: bootstrap.Container, user: Any, turns: int) -> dict[str, float]:
    chat = bootstrap.build_chat_service(container)
    principal = Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.PASSWORD)
    conv = await chat.create_conversation(principal)
    assert conv.id is not None
    text = "show memory on localhost"
    for _ in range(5):  # warm-up: platform probe, parser build
        reply = await chat.handle_message(principal, conv.id, text)
    assert reply.message is not None and reply.message.metadata.get("action") == "server.memory", reply.to_json()
    samples = []
    for _ in range(turns):
        started = time.perf_counter()
        reply = await chat.handle_message(principal, conv.id, text)
        samples.append((time.perf_counter() - started) * 1000)
        assert reply.message is not None and "results" in reply.message.metadata
    return {"p50": statistics.median(samples), "p95": pct(samples, 95), "n": len(samples)}


async def bench_rest(app: Any, token: str, turns: int) -> dict[str, float]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        conv = (await client.post("/api/v1/conversations", json={})).json()["id"]
        for _ in range(5):
            r = await client.post(f"/api/v1/conversations/{conv}/messages", json={"text": "show memory on localhost"})
            assert r.status_code == 200, r.text
        samples = []
        for _ in range(turns):
            started = time.perf_counter()
            r = await client.post(f"/api/v1/conversations/{conv}/messages", json={"text": "show memory on localhost"})
            samples.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200
    return {"p50": statistics.median(samples), "p95": pct(samples, 95), "n": len(samples)}


async def ws_client(url: str, token: str, conv: str, rounds: int, pings: list[float], msgs: list[float],
                    ready: asyncio.Barrier) -> None:
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"},
                                  max_queue=None) as ws:
        await ready.wait()
        for i in range(rounds):
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "ping", "id": i}))
            while json.loads(await ws.recv()).get("type") != "pong":
                pass
            pings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "conversation_id": conv, "text": "bonjour"}))
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") == "message" and event.get("role") == "assistant":
                    break
            msgs.append((time.perf_counter() - started) * 1000)


async def bench_ws(settings: Settings, container: bootstrap.Container, tokens: list[str], clients: int,
                   rounds: int) -> dict[str, float]:
    app = create_app(settings, container=container)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.01)
    try:
        convs = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for token in tokens[:clients]:
                r = await http.post("/api/v1/conversations", json={}, headers={"Authorization": f"Bearer {token}"})
                convs.append(r.json()["id"])
        pings: list[float] = []
        msgs: list[float] = []
        ready = asyncio.Barrier(clients)
        started = time.perf_counter()
        await asyncio.gather(*(ws_client(f"ws://127.0.0.1:{port}/api/v1/ws", tokens[i], convs[i], rounds, pings,
                                         msgs, ready) for i in range(clients)))
        wall = time.perf_counter() - started
    finally:
        server.should_exit = True
        await task
    return {"ping_p50": statistics.median(pings), "ping_p95": pct(pings, 95),
            "msg_p50": statistics.median(msgs), "msg_p95": pct(msgs, 95), "frames": len(pings) + len(msgs),
            "wall_s": wall}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chatops-bench-chat-") as tmp:
        settings, container, users = await setup(Path(tmp))
        try:
            turn = await bench_turns(container, users[0][1], args.turns)
            tokens = []
            app = create_app(settings, container=container)
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4242))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as anon:
                for email, _ in users:
                    r = await anon.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
                    tokens.append(r.json()["access_token"])
            rest = await bench_rest(app, tokens[0], args.turns)
            ws = await bench_ws(settings, container, tokens[1:], args.clients, args.rounds)
        finally:
            await container.aclose()
    return {"turn": turn, "rest": rest, "ws": ws, "clients": args.clients, "rounds": args.rounds,
            "load": os.getloadavg()[0]}


def report(r: dict[str, Any]) -> str:
    t, rest, ws = r["turn"], r["rest"], r["ws"]
    return f"""
## Chat engine (bench/chat.py) — {date.today().isoformat()}

Machine: 2 cores (shared; 1-minute load average at the end: {r['load']:.1f}), Python 3.11, embedded SQLite
(WAL), `localhost` through the local executor. Command: `.venv/bin/python -m bench.chat --write bench/RESULTS.md`.
A turn = "show memory on localhost" by an operator: parse + authorize (role + per-server row) + run `free`
+ explain + persist (2 messages, a `commands` row, a hash-chained audit event, the conversation's context).

| figure | p50 | p95 | samples | target |
| --- | --- | --- | --- | --- |
| chat turn, service call (`server.memory` on localhost) | {t['p50']:.1f} ms | {t['p95']:.1f} ms | {t['n']} | |
| chat turn through REST (in-process ASGI) | {rest['p50']:.1f} ms | {rest['p95']:.1f} ms | {rest['n']} | API p95 < 200 ms |
| WebSocket ping → pong, {r['clients']} concurrent clients | {ws['ping_p50']:.1f} ms | {ws['ping_p95']:.1f} ms | {r['clients'] * r['rounds']} | WS < 50 ms |
| WebSocket "bonjour" → assistant `message`, {r['clients']} clients | {ws['msg_p50']:.1f} ms | {ws['msg_p95']:.1f} ms | {r['clients'] * r['rounds']} | |

WebSocket: a real uvicorn server on loopback, {r['clients']} clients connected at once (bearer tokens),
{r['rounds']} rounds each, all clients sending at the same time; {ws['frames']} round trips in {ws['wall_s']:.1f} s.
The greeting round trip persists two messages and the context per turn, all clients writing to the one
SQLite file, so it measures the database's write serialization as much as the socket.
"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", type=Path)
    ns = parser.parse_args()
    result = asyncio.run(main(ns))
    text = report(result)
    print(text)
    print(json.dumps(result, indent=2))
    if ns.write:
        record(text, ns.write)
