"""Matrix adapter overhead: 50 users in one room of a real Synapse on loopback, each mentioning the bot.

The door is an instant echo (no turn), so what is measured is what the adapter adds on top of a turn:
- **in the bot**: from the /sync answer that carries the message to the reply's PUT answered, minus the door;
- **round trip**: from the user's PUT answered to the reply seen in the user's own /sync (adds Synapse's
  two deliveries: the message to the bot, the reply to the user).
Target (issue 16): p95 < 100 ms of adapter overhead on top of the turn.

    .venv/bin/python -m bench.matrix [--users 50] [--messages 4]

Needs .venv-synapse/ (scripts/install-test-deps.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from tests.e2e.platforms.matrix.synapse import Account, Homeserver, available

from bench.results import pct, record
from chatops_commander.adapters.platforms.matrix.bot import Backoff, MatrixBot, MatrixConfig
from chatops_commander.services.platforms.contract import ButtonPress, Inbound, Outbound


class EchoDoor:
    def __init__(self) -> None:
        self.door_s: dict[str, float] = {}

    async def on_message(self, message: Inbound) -> Sequence[Outbound]:
        began = time.perf_counter()
        reply = [Outbound(message.place, f"echo {message.text.split()[-1]}")]
        self.door_s[message.text.split()[-1]] = time.perf_counter() - began
        return reply

    async def on_button(self, press: ButtonPress) -> Sequence[Outbound]:
        return []


Stamps = dict[str, float]


def instrument(bot: MatrixBot) -> tuple[Stamps, Stamps, Stamps]:
    """Stamp when a sync answer carrying a message arrived, when the reply's PUT started and when it was answered."""
    received: Stamps = {}
    sending: Stamps = {}
    replied: Stamps = {}
    read, send = bot._read, bot.send

    async def timed_read(data: dict[str, Any], *, initial: bool, since: str | None = None) -> None:
        now = time.perf_counter()
        for room in ((data.get("rooms") or {}).get("join") or {}).values():
            for event in (room.get("timeline") or {}).get("events") or []:
                body = (event.get("content") or {}).get("body", "")
                if body.startswith("chatops: ping "):
                    received[body.split()[-1]] = now
        await read(data, initial=initial, since=since)

    async def timed_send(message: Outbound, **kw: Any) -> str:
        sending[message.text.split()[-1]] = time.perf_counter()
        event_id = await send(message, **kw)
        replied[message.text.split()[-1]] = time.perf_counter()
        return event_id

    bot._read = timed_read  # type: ignore[method-assign]
    bot.send = timed_send  # type: ignore[method-assign]
    return received, sending, replied


async def user_sync_watch(http: httpx.AsyncClient, room: str, bot_id: str, seen: dict[str, float],
                          stop: asyncio.Event) -> None:
    only = '{"room":{"timeline":{"limit":500,"types":["m.room.message"]}},"presence":{"not_types":["*"]}}'
    since = (await http.get("/sync", params={"timeout": "0", "filter": only})).json()["next_batch"]
    while not stop.is_set():
        data = (await http.get("/sync", params={"timeout": "1000", "since": since, "filter": only})).json()
        now = time.perf_counter()
        since = data["next_batch"]
        events = (((data.get("rooms") or {}).get("join") or {}).get(room) or {}).get("timeline", {}).get("events", [])
        for event in events:
            body = (event.get("content") or {}).get("body", "")
            if event.get("sender") == bot_id and body.startswith("echo "):
                seen.setdefault(body.split()[-1], now)


async def main(users: int, messages: int, window: float) -> None:
    if not available():
        raise SystemExit("Synapse is not installed: run scripts/install-test-deps.sh")
    with tempfile.TemporaryDirectory() as tmp:
        server = Homeserver(Path(tmp) / "synapse")
        server.start()
        try:
            await run(server, users, messages, window)
        finally:
            server.stop()


async def run(server: Homeserver, users: int, messages: int, window: float) -> None:
    bot_account = server.register("chatops")
    accounts: list[Account] = [server.register(f"user{i:02d}") for i in range(users)]
    clients = [httpx.AsyncClient(base_url=f"{server.base_url}/_matrix/client/v3", timeout=60,
                                 headers={"Authorization": f"Bearer {a.access_token}"}) for a in accounts]
    owner = clients[0]
    room = (await owner.post("/createRoom", json={"name": "ops", "preset": "public_chat",
                                                  "invite": [bot_account.user_id]})).json()["room_id"]
    for client in clients[1:]:
        assert (await client.post(f"/join/{quote(room)}", json={})).status_code == 200
    door = EchoDoor()
    bot = MatrixBot(MatrixConfig(server.base_url, bot_account.user_id, bot_account.access_token,
                                 sync_timeout_ms=5000), door, backoff=Backoff(first=0.1, cap=1))
    received, sending, replied = instrument(bot)
    bot_task = asyncio.create_task(bot.run())
    await asyncio.wait_for(bot.ready.wait(), 60)
    for _ in range(600):  # poll with a deadline (60 s)
        if bot_account.user_id in (await owner.get(f"/rooms/{quote(room)}/joined_members")).json()["joined"]:
            break
        await asyncio.sleep(0.1)
    seen: dict[str, float] = {}
    sent: dict[str, float] = {}
    stop = asyncio.Event()
    watcher = asyncio.create_task(user_sync_watch(owner, room, bot_account.user_id, seen, stop))
    await asyncio.sleep(0.5)  # the watcher's first long poll is in place

    async def talk(index: int, client: httpx.AsyncClient) -> None:
        for n in range(messages):
            await asyncio.sleep(random.uniform(0, 2 * window / messages))
            token = f"u{index}m{n}"
            url = f"/rooms/{quote(room)}/send/m.room.message/{token}"
            response = await client.put(url, json={"msgtype": "m.text", "body": f"chatops: ping {token}"})
            assert response.status_code == 200, response.text
            sent[token] = time.perf_counter()

    began = time.perf_counter()
    await asyncio.gather(*(talk(i, c) for i, c in enumerate(clients)))
    for _ in range(1200):  # poll with a deadline (60 s)
        if len(seen) >= len(sent):
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - began
    stop.set()
    bot.stop()
    await asyncio.gather(watcher, bot_task, return_exceptions=True)
    for client in clients:
        await client.aclose()

    done = [t for t in sent if t in replied and t in received and t in sending]
    in_bot = [(sending[t] - received[t] - door.door_s.get(t, 0.0)) * 1000 for t in done]
    put = [(replied[t] - sending[t]) * 1000 for t in done]
    round_trip = [(seen[t] - sent[t]) * 1000 for t in sent if t in seen]
    lines = [
        f"## Matrix adapter overhead (users in one room, real Synapse) — {datetime.now(UTC):%Y-%m-%d}",
        "",
        f"{users} users in one room of a real Synapse (SQLite, loopback), each mentioning the bot {messages} times at "
        f"random within ~{window:.0f} s ({len(sent)} messages in {elapsed:.1f} s); the door is an instant "
        "echo, so the figures are the adapter's overhead on top of a turn. Machine shared with other helpers' "
        "test runs (2 cores): figures are pessimistic.",
        "",
        "| measure | n | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
        f"| adapter: sync answer → reply handed to the homeserver (read, map, render), minus the door | "
        f"{len(in_bot)} | {statistics.median(in_bot):.1f} | {pct(in_bot, 95):.1f} | {max(in_bot):.1f} |",
        f"| homeserver: the reply's PUT | {len(put)} | {statistics.median(put):.1f} | {pct(put, 95):.1f} | "
        f"{max(put):.1f} |",
        f"| round trip: user's PUT answered → reply in the user's /sync | {len(round_trip)} | "
        f"{statistics.median(round_trip):.1f} | {pct(round_trip, 95):.1f} | {max(round_trip):.1f} |",
        "",
        f"Answered {len(seen)}/{len(sent)}. Target: p95 < 100 ms of adapter overhead — "
        f"{'met' if pct(in_bot, 95) < 100 else 'NOT met'} by the adapter; the PUT and the round trip are Synapse's "
        "own time (SQLite, push rules evaluated for every member of the room on each event).",
    ]
    print("\n".join(lines))
    record("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2)
    parser.add_argument("--window", type=float, default=20.0, help="seconds over which each user's messages spread")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.messages, args.window))
