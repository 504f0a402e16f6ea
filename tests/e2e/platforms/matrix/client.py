"""A test user on the real Synapse, over the plain client-server API (httpx): rooms, messages, reactions, waits."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.platforms.matrix.synapse import Account

Event = dict[str, Any]
WAIT_S = 30.0


class MatrixUser:
    def __init__(self, base_url: str, account: Account) -> None:
        self.user_id = account.user_id
        self.http = httpx.AsyncClient(base_url=f"{base_url}/_matrix/client/v3", timeout=30,
                                      headers={"Authorization": f"Bearer {account.access_token}"})

    async def close(self) -> None:
        await self.http.aclose()

    async def _ok(self, response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def create_room(self, *, invite: tuple[str, ...] = (), direct: bool = False, encrypted: bool = False,
                          name: str = "ops") -> str:
        body: dict[str, Any] = {"invite": list(invite), "is_direct": direct, "preset": "private_chat"}
        if not direct:
            body["name"] = name
        if encrypted:
            body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                      "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        return str((await self._ok(await self.http.post("/createRoom", json=body)))["room_id"])

    async def invite(self, room_id: str, user_id: str) -> None:
        await self._ok(await self.http.post(f"/rooms/{quote(room_id)}/invite", json={"user_id": user_id}))

    async def join(self, room_id: str) -> None:
        await self._ok(await self.http.post(f"/join/{quote(room_id)}", json={}))

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        url = f"/rooms/{quote(room_id)}/send/{event_type}/{uuid.uuid4().hex}"
        return str((await self._ok(await self.http.put(url, json=content)))["event_id"])

    async def say(self, room_id: str, body: str, *, mention: str | None = None, reply_to: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if mention:
            content["m.mentions"] = {"user_ids": [mention]}
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
            content["body"] = f"> <{mention or 'someone'}> the card\n\n{body}"  # the fallback older clients send
        return await self.send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        return await self.send(room_id, "m.reaction",
                               {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}})

    async def recent(self, room_id: str, limit: int = 100) -> list[Event]:
        url = f"/rooms/{quote(room_id)}/messages"
        chunk = (await self._ok(await self.http.get(url, params={"dir": "b", "limit": str(limit)})))["chunk"]
        return list(reversed(chunk))

    async def wait_for(self, room_id: str, match: Callable[[Event], bool], *, within: float = WAIT_S) -> Event:
        """The first event of the room matching, polling with a deadline."""
        deadline = time.monotonic() + within
        while True:
            for event in await self.recent(room_id):
                if match(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching event in {room_id} within {within} s")
            await asyncio.sleep(0.1)

    async def wait_for_text(self, room_id: str, sender: str, text: str, *, within: float = WAIT_S) -> Event:
        return await self.wait_for(room_id, lambda e: e.get("sender") == sender and e.get("type") == "m.room.message"
                                   and text in e.get("content", {}).get("body", ""), within=within)

    async def wait_for_reply(self, room_id: str, after: str, sender: str, *, within: float = WAIT_S) -> Event:
        """The first message from `sender` that comes after the event `after` in the room."""
        deadline = time.monotonic() + within
        while True:
            events = await self.recent(room_id)
            ids = [e["event_id"] for e in events]
            if after in ids:
                for event in events[ids.index(after) + 1:]:
                    if event.get("sender") == sender and event.get("type") == "m.room.message":
                        return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no message from {sender} after {after} within {within} s")
            await asyncio.sleep(0.1)

    async def wait_invited(self, by: str, *, within: float = WAIT_S) -> str:
        """The room of a pending invitation from `by`."""
        deadline = time.monotonic() + within
        while True:
            data = await self._ok(await self.http.get("/sync", params={"timeout": "0"}))
            for room_id, room in ((data.get("rooms") or {}).get("invite") or {}).items():
                if any(e.get("sender") == by for e in room.get("invite_state", {}).get("events", [])):
                    return str(room_id)
            if time.monotonic() > deadline:
                raise AssertionError(f"no invitation from {by} within {within} s")
            await asyncio.sleep(0.1)

    async def wait_joined(self, room_id: str, user_id: str, *, within: float = WAIT_S) -> None:
        deadline = time.monotonic() + within
        while True:
            response = await self.http.get(f"/rooms/{quote(room_id)}/joined_members")
            if response.status_code == 200 and user_id in response.json().get("joined", {}):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{user_id} did not join {room_id} within {within} s")
            await asyncio.sleep(0.1)

    async def wait_left(self, room_id: str, user_id: str, *, within: float = WAIT_S) -> None:
        deadline = time.monotonic() + within
        while True:
            members = (await self._ok(await self.http.get(f"/rooms/{quote(room_id)}/joined_members")))["joined"]
            if user_id not in members:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{user_id} did not leave {room_id} within {within} s")
            await asyncio.sleep(0.1)


async def room_with_bot(owner: MatrixUser, bot_id: str, *others: MatrixUser, direct: bool = False) -> str:
    """A room `owner` creates with the bot and `others` invited; it returns once they joined and the bot did."""
    room = await owner.create_room(invite=(bot_id, *(o.user_id for o in others)), direct=direct)
    for other in others:
        await other.join(room)
    await owner.wait_joined(room, bot_id)
    return room
