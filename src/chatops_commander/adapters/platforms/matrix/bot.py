"""The Matrix bot: a sync loop on the client-server API (mautrix), translating room events for the platform door.

- Joins the rooms it is invited to (only the allow-listed ones when `CHATOPS_MATRIX_ROOMS` is set; direct
  messages always), answers messages that mention it and every message in a direct message.
- Cards: a message listing the options, bound to its event id; a reaction (👍/✅, 👎/❌, 1️⃣…) or a reply on that
  message from the user the card is for (anyone, for an approval card) becomes a `ButtonPress` from that user.
  The cards are kept in the platform store (`CardStore`, the database), so an answer on a card posted before a
  restart of the bot still counts; recent ones are cached in memory.
- Never reads its own messages, nor history from before it started or joined the room.
- End-to-end encrypted rooms are not read: the bot says so once (EN/FR) and leaves.
- Sync errors: retried with exponential backoff and jitter; a rejected access token stops the bot with a clear
  error. The Matrix library (mautrix, aiohttp) is imported only here, when the bot runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog

from chatops_commander.adapters.platforms.matrix import cards as card_rules
from chatops_commander.adapters.platforms.matrix import events as ev
from chatops_commander.adapters.platforms.matrix.render import KEYCAPS, render
from chatops_commander.config import ConfigError
from chatops_commander.services.platforms import wording
from chatops_commander.services.platforms.contract import (
    ButtonPress,
    CardKind,
    ChatUser,
    Inbound,
    Outbound,
    Place,
    Platform,
    PlatformDoor,
)
from chatops_commander.services.platforms.ports import CardStore
from chatops_commander.services.platforms.records import PostedCard

if TYPE_CHECKING:
    from mautrix.client import ClientAPI

log = structlog.get_logger("chatops.platforms.matrix")

JSON = dict[str, Any]
ENCRYPTED_NOTICE = (
    "🔒 This room is end-to-end encrypted and this bot does not read encrypted messages: talk to it in an "
    "unencrypted room or direct message. It leaves this room now.\n"
    "🔒 Ce salon est chiffré de bout en bout et ce bot ne lit pas les messages chiffrés : parlez-lui dans un salon "
    "ou un message direct non chiffré. Il quitte ce salon."
)
FAILURE_NOTICE = (
    "Something went wrong while handling this message; nothing was run. Please try again.\n"
    "Une erreur est survenue en traitant ce message ; rien n'a été exécuté. Réessayez."
)


def sync_filter(nonce: str, timeline_limit: int = 50) -> str:
    """The inline /sync filter: room messages, reactions and encryption only. The nonce (a sender never seen,
    in the presence filter that excludes everything anyway) makes each run's first sync its own request:
    Synapse answers an identical /sync from a cache for a while, which would hand a restarted bot the previous
    run's snapshot and replay what was said in between."""
    return json.dumps({
        "presence": {"not_types": ["*"], "not_senders": [f"@run-{nonce}:invalid"]},
        "account_data": {"not_types": ["*"]},
        "room": {
            "account_data": {"not_types": ["*"]},
            "ephemeral": {"not_types": ["*"]},
            "state": {"types": ["m.room.encryption", "m.room.member"], "lazy_load_members": True},
            "timeline": {"types": ["m.room.message", "m.reaction", "m.room.encrypted", "m.room.encryption",
                                   "m.room.member"], "limit": timeline_limit},
        },
    }, separators=(",", ":"))


class MatrixBotError(ConfigError):
    """The bot cannot run as configured; the message says what to change (EN and FR). A `ConfigError`, so the
    CLI and `chatops serve` show the message, never a traceback."""


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str  # the client-server base URL, e.g. https://matrix.example.org
    user_id: str  # @chatops:example.org
    access_token: str = field(repr=False)
    rooms: tuple[str, ...] = ()  # allow-list of room ids / aliases; empty: every room it is invited to
    sync_timeout_ms: int = 30_000
    timeline_limit: int = 50  # events per room per sync; a busier room's gap is fetched with /messages


@dataclass
class Backoff:
    """Waits between failed syncs: doubling from `first` up to `cap`, ±20 % jitter; `reset()` after a success."""

    first: float = 1.0
    cap: float = 60.0
    failures: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * 2 ** min(self.failures, 30))
        self.failures += 1
        return float(delay * random.uniform(0.8, 1.2))

    def reset(self) -> None:
        self.failures = 0


@dataclass
class _Room:
    direct: bool = False
    members: int = 0
    encrypted: bool = False
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)  # by sender: each person's events in order


class MatrixBot:
    """Implements `PlatformSender` (`send`) for the door, and runs the sync loop (`run`, `close`)."""

    name = "matrix"

    def __init__(self, config: MatrixConfig, door: PlatformDoor, *, backoff: Backoff | None = None,
                 store: CardStore | None = None) -> None:
        self.config = config
        self.door = door
        self.backoff = backoff or Backoff()
        self.identity = ev.BotIdentity(config.user_id)
        self.store = store  # the cards across restarts; None: in memory only (they are forgotten on a restart)
        self.cards = card_rules.PostedCards()  # the recent ones, in front of the store
        self.ready = asyncio.Event()  # set after the first sync: from then on, new events are answered
        self.sync_failures = 0  # consecutive failed syncs so far (observability, tests)
        self._client: ClientAPI | None = None
        self._rooms: dict[str, _Room] = {}
        self._invited: dict[str, _Room] = {}  # joined from an invite, not yet seen in a sync
        self._next_batch: str | None = None
        self._filter = sync_filter(secrets.token_hex(8), config.timeline_limit)
        self._allowed: set[str] = set()
        self._names: dict[str, str] = {}
        self._dm_with: dict[str, str] = {}  # user id → a direct-message room with them
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()

    # -- running ---------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Sync until `stop()` or cancellation; reconnects with backoff; raises `MatrixBotError` on a bad token."""
        import aiohttp
        from mautrix.client import ClientAPI
        from mautrix.types import UserID

        timeout = aiohttp.ClientTimeout(total=self.config.sync_timeout_ms / 1000 + 30, sock_connect=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self._client = ClientAPI(mxid=UserID(self.config.user_id), base_url=self.config.homeserver,
                                     token=self.config.access_token, client_session=session)
            try:
                if await self._start():
                    await self._loop()
            finally:
                for task in list(self._tasks):
                    task.cancel()
                if self._tasks:
                    await asyncio.gather(*self._tasks, return_exceptions=True)
                self._client = None

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        self.stop()

    async def _start(self) -> bool:
        """Who am I, which rooms, and the first sync's token (its events are history); False when stopped."""
        from mautrix.errors import MatrixRequestError

        client = self._api()
        next_batch: str | None = None
        while next_batch is None:
            if self._stop.is_set():
                return False
            try:
                whoami = await client.whoami()
                if whoami.user_id != self.config.user_id:
                    raise MatrixBotError(
                        f"CHATOPS_MATRIX_ACCESS_TOKEN belongs to {whoami.user_id}, not to CHATOPS_MATRIX_USER_ID "
                        f"{self.config.user_id}: set the bot's own token. / Le jeton appartient à {whoami.user_id}, "
                        f"pas à {self.config.user_id} : donnez le jeton du bot.")
                name = await client.get_displayname(client.mxid)
                self.identity = ev.BotIdentity(self.config.user_id, name or "")
                self._allowed = await self._resolve_rooms(client)
                data = await self._sync(None, timeout_ms=0)
                await self._read(data, initial=True)
                next_batch = str(data["next_batch"])
            except MatrixRequestError as exc:
                self._fatal(exc)
                await self._pause(exc)
            except (OSError, TimeoutError, ValueError) as exc:
                await self._pause(exc)
            except Exception as exc:
                if type(exc).__module__.startswith(("aiohttp", "mautrix")):
                    await self._pause(exc)
                else:
                    raise
        self._next_batch = next_batch
        self.backoff.reset()
        self.sync_failures = 0
        self.ready.set()
        log.info("matrix.bot.ready", user_id=self.config.user_id, rooms=len(self._rooms))
        return True

    async def _resolve_rooms(self, client: ClientAPI) -> set[str]:
        from mautrix.errors import MatrixRequestError

        allowed: set[str] = set()
        for room in self.config.rooms:
            if room.startswith("#"):
                try:
                    info = await client.resolve_room_alias(room)  # type: ignore[arg-type]
                except MatrixRequestError as exc:
                    if exc.http_status in (400, 404):
                        raise MatrixBotError(
                            f"CHATOPS_MATRIX_ROOMS names {room}, which the homeserver does not know: use the room's "
                            f"id or an existing alias. / CHATOPS_MATRIX_ROOMS nomme {room}, inconnu du serveur : "
                            f"donnez l'identifiant du salon ou un alias existant.") from exc
                    raise
                allowed.add(str(info.room_id))
            else:
                allowed.add(room)
        return allowed

    async def _loop(self) -> None:
        from mautrix.errors import MatrixRequestError

        while not self._stop.is_set():
            sync = asyncio.ensure_future(self._sync(self._next_batch, timeout_ms=self.config.sync_timeout_ms))
            stop = asyncio.ensure_future(self._stop.wait())
            try:
                await asyncio.wait({sync, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
            if not sync.done():
                sync.cancel()
                await asyncio.gather(sync, return_exceptions=True)
                return
            try:
                data = sync.result()
            except MatrixRequestError as exc:
                self._fatal(exc)
                await self._pause(exc)
                continue
            except Exception as exc:
                await self._pause(exc)
                continue
            if self.sync_failures:
                log.info("matrix.sync.recovered", after_failures=self.sync_failures)
            self.backoff.reset()
            self.sync_failures = 0
            since, self._next_batch = self._next_batch, str(data.get("next_batch", self._next_batch))
            await self._read(data, initial=False, since=since)

    def _fatal(self, exc: Exception) -> None:
        status = getattr(exc, "http_status", 0)
        if status == 401:
            log.error("matrix.token.refused", user_id=self.config.user_id,
                      hint="create a new access token for the bot and set CHATOPS_MATRIX_ACCESS_TOKEN")
            raise MatrixBotError(
                "The homeserver refused CHATOPS_MATRIX_ACCESS_TOKEN (401): create a new access token for the bot "
                "user and set it. / Le serveur Matrix refuse CHATOPS_MATRIX_ACCESS_TOKEN (401) : créez un nouveau "
                "jeton d'accès pour le bot et renseignez-le.") from exc

    async def _pause(self, exc: BaseException) -> None:
        self.sync_failures += 1
        delay = self.backoff.next_delay()
        log.warning("matrix.sync.failed", error=f"{type(exc).__name__}: {exc}", retry_in_s=round(delay, 2),
                    failures=self.sync_failures)
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        except TimeoutError:
            return

    async def _sync(self, since: str | None, *, timeout_ms: int) -> JSON:
        from mautrix.api import Method, Path

        params = {"timeout": str(timeout_ms), "filter": self._filter}
        if since:
            params["since"] = since
        data = await self._api().api.request(Method.GET, Path.v3.sync, query_params=params, retry_count=0,
                                             metrics_method="sync")
        if not isinstance(data, dict) or "next_batch" not in data:
            raise ValueError("the homeserver's /sync answer has no next_batch")
        return data

    def _api(self) -> ClientAPI:
        if self._client is None:
            raise RuntimeError("the Matrix bot is not running")
        return self._client

    # -- reading a sync answer -------------------------------------------------------------------------------

    async def _read(self, data: JSON, *, initial: bool, since: str | None = None) -> None:
        rooms = data.get("rooms") or {}
        for room_id, left in (rooms.get("leave") or {}).items():
            del left
            self._rooms.pop(room_id, None)
        for room_id, room in (rooms.get("join") or {}).items():
            known = room_id in self._rooms
            state = self._rooms.setdefault(room_id, self._invited.pop(room_id, _Room()))
            self._read_state(room_id, state, room)
            timeline = ((room.get("timeline") or {}).get("events")) or []
            if initial:
                continue
            if not known:
                timeline = self._after_own_join(timeline)
            elif (room.get("timeline") or {}).get("limited") and since:
                timeline = await self._gap(room_id, str(room["timeline"].get("prev_batch", "")), since) + timeline
            for event in timeline:
                self._dispatch(room_id, event)
        for room_id, invite in (rooms.get("invite") or {}).items():
            await self._on_invite(room_id, invite)

    async def _gap(self, room_id: str, prev_batch: str, since: str) -> list[JSON]:
        """A busy room's timeline came `limited`: fetch what lies between the last sync and it (oldest first)."""
        from mautrix.api import Method, Path

        events: list[JSON] = []
        token = prev_batch
        room_filter = json.dumps({"types": ["m.room.message", "m.reaction", "m.room.encrypted"]})
        for _ in range(10):  # at most 1000 events of backlog
            if not token:
                break
            try:
                page = await self._api().api.request(
                    Method.GET, Path.v3.rooms[room_id].messages,
                    query_params={"from": token, "to": since, "dir": "b", "limit": "100", "filter": room_filter})
            except Exception as exc:
                log.warning("matrix.gap.failed", room_id=room_id, error=f"{type(exc).__name__}: {exc}")
                break
            chunk = page.get("chunk") or []
            events.extend(chunk)
            token = page.get("end", "")
            if not chunk:
                break
        log.info("matrix.gap.filled", room_id=room_id, events=len(events))
        return list(reversed(events))

    def _read_state(self, room_id: str, state: _Room, room: JSON) -> None:
        summary = room.get("summary") or {}
        if isinstance(summary.get("m.joined_member_count"), int):
            state.members = summary["m.joined_member_count"]
        events = list(((room.get("state") or {}).get("events")) or [])
        events += ((room.get("timeline") or {}).get("events")) or []
        for event in events:
            if event.get("type") == "m.room.encryption" and "state_key" in event:
                state.encrypted = True
            if event.get("type") == "m.room.member" and isinstance((event.get("content") or {}).get("displayname"),
                                                                   str):
                self._names[str(event.get("state_key"))] = event["content"]["displayname"]  # no profile lookup
            if (event.get("type") == "m.room.member" and event.get("state_key") == self.config.user_id
                    and (event.get("content") or {}).get("is_direct")):
                state.direct = True

    def _after_own_join(self, timeline: list[JSON]) -> list[JSON]:
        """In a room joined since the last sync, only what came after the bot's own join is new to it."""
        for index, event in enumerate(timeline):
            if (event.get("type") == "m.room.member" and event.get("state_key") == self.config.user_id
                    and (event.get("content") or {}).get("membership") == "join"):
                return timeline[index + 1:]
        return []

    def _allowed_room(self, room_id: str, state: _Room) -> bool:
        return not self._allowed or room_id in self._allowed or self._is_direct(state)

    @staticmethod
    def _is_direct(state: _Room) -> bool:
        return state.direct or state.members == 2

    async def _on_invite(self, room_id: str, invite: JSON) -> None:
        events = ((invite.get("invite_state") or {}).get("events")) or []
        direct = any(e.get("type") == "m.room.member" and e.get("state_key") == self.config.user_id
                     and (e.get("content") or {}).get("is_direct") for e in events)
        encrypted = any(e.get("type") == "m.room.encryption" for e in events)
        client = self._api()
        try:
            if self._allowed and room_id not in self._allowed and not direct:
                log.info("matrix.invite.declined", room_id=room_id, reason="not in CHATOPS_MATRIX_ROOMS")
                await client.leave_room(room_id)  # type: ignore[arg-type]
                return
            await client.join_room_by_id(room_id)  # type: ignore[arg-type]
            log.info("matrix.room.joined", room_id=room_id, direct=direct)
            if encrypted:
                await self._refuse_encrypted(room_id)
            else:
                self._invited[room_id] = _Room(direct=direct)
        except Exception as exc:  # a room we cannot join must not stop the bot
            log.warning("matrix.invite.failed", room_id=room_id, error=f"{type(exc).__name__}: {exc}")

    def _dispatch(self, room_id: str, event: JSON) -> None:
        if event.get("sender") == self.config.user_id:
            return
        if "state_key" in event and event.get("type") != "m.room.encryption":
            return
        state = self._rooms[room_id]
        if not self._allowed_room(room_id, state):
            return
        handler: Callable[[str, JSON], Awaitable[None]]
        kind = event.get("type")
        if kind == "m.room.message":
            handler = self._on_message
        elif kind == "m.reaction":
            handler = self._on_reaction
        elif kind in ("m.room.encrypted", "m.room.encryption"):
            handler = self._on_encrypted
        else:
            return
        task = asyncio.ensure_future(self._serially(state, handler, room_id, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serially(self, state: _Room, handler: Callable[[str, JSON], Awaitable[None]], room_id: str,
                        event: JSON) -> None:
        sender = str(event.get("sender", ""))
        lock = state.locks.setdefault(sender, asyncio.Lock())
        async with lock:  # one person's events in a room are answered in order; people don't wait for each other
            try:
                await handler(room_id, event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("matrix.event.failed", room_id=room_id, event_id=event.get("event_id"),
                          error=f"{type(exc).__name__}: {exc}")
                await self._notice(room_id, FAILURE_NOTICE)

    # -- events ----------------------------------------------------------------------------------------------

    async def _user(self, user_id: str) -> ChatUser:
        if user_id not in self._names:
            try:
                self._names[user_id] = await self._api().get_displayname(user_id) or ""  # type: ignore[arg-type]
            except Exception:
                self._names[user_id] = ""
        return ChatUser(Platform.MATRIX, user_id, self._names[user_id])

    def _place(self, room_id: str, thread_id: str | None) -> Place:
        return Place(Platform.MATRIX, self.identity.server_name, room_id, thread_id=thread_id,
                     direct=self._is_direct(self._rooms.get(room_id) or _Room()))

    async def _on_message(self, room_id: str, event: JSON) -> None:
        content = event.get("content") or {}
        text = ev.message_text(content)
        sender = str(event.get("sender", ""))
        if text is None:
            return
        target = ev.reply_to(content)
        if target is not None:
            posted = await self._card(target, sender)
            button = card_rules.button_for_reply(posted.card, text) if posted else None
            if posted is not None and button is not None:
                await self._press(room_id, posted, sender, button.payload)
                return
        direct = self._is_direct(self._rooms.get(room_id) or _Room())
        if not direct and not ev.mentions_bot(content, text, self.identity):
            return
        if direct:
            self._dm_with.setdefault(sender, room_id)
        user = await self._user(sender)
        inbound = Inbound(self._place(room_id, ev.thread_root(content)), user,
                          text=ev.without_mention(text, self.identity), message_id=str(event.get("event_id", "")))
        await self._post_all(await self.door.on_message(inbound), owner=user)

    async def _on_reaction(self, room_id: str, event: JSON) -> None:
        pair = ev.reaction(event.get("content") or {})
        sender = str(event.get("sender", ""))
        if pair is None:
            return
        target, key = pair
        posted = await self._card(target, sender)
        if posted is None:
            return
        button = card_rules.button_for_reaction(posted.card, key)
        if button is not None:
            await self._press(room_id, posted, sender, button.payload)

    async def _card(self, event_id: str, sender: str) -> PostedCard | None:
        """The card on that message when `sender` may answer it: from the cache, else from the store (a card posted
        before a restart). A store that cannot answer is logged, and the message is not a card to this bot."""
        posted = self.cards.get(event_id)
        if posted is None and self.store is not None:
            try:
                posted = await self.store.posted_card(Platform.MATRIX, event_id, datetime.now(UTC))
            except Exception as exc:
                log.warning("matrix.card.lookup_failed", event_id=event_id, error=f"{type(exc).__name__}: {exc}")
            if posted is not None:
                self.cards.remember(posted)
        return posted if posted is not None and posted.answerable_by(sender) else None

    async def _press(self, room_id: str, posted: PostedCard, sender: str, payload: str) -> None:
        user = await self._user(sender)
        press = ButtonPress(self._place(room_id, posted.place.thread_id), user, payload, message_id=posted.message_id)
        await self._post_all(await self.door.on_button(press), owner=user)

    async def _on_encrypted(self, room_id: str, event: JSON) -> None:
        del event
        if self._rooms.pop(room_id, None) is not None:  # said once per room
            await self._refuse_encrypted(room_id)

    async def _refuse_encrypted(self, room_id: str) -> None:
        log.info("matrix.room.encrypted_left", room_id=room_id)
        await self._notice(room_id, ENCRYPTED_NOTICE)
        try:
            await self._api().leave_room(room_id)  # type: ignore[arg-type]
        except Exception as exc:
            log.warning("matrix.leave.failed", room_id=room_id, error=f"{type(exc).__name__}: {exc}")

    # -- sending ---------------------------------------------------------------------------------------------

    async def _post_all(self, messages: Sequence[Outbound], *, owner: ChatUser | None) -> None:
        for message in messages:
            await self.send(message, owner=owner)

    async def send(self, message: Outbound, *, owner: ChatUser | None = None) -> str:
        """Post one message (HTML + plain); a card is remembered, bound to its event id, and gets reaction hints.
        A message for one person only (`to`) outside a direct message goes to a direct message with them (Matrix
        has no ephemeral messages), and the room is told where to look."""
        if message.to is not None and not message.place.direct:
            room_id = await self._direct_room(message.to.user_id)
            private = dataclasses.replace(message, place=Place(Platform.MATRIX, message.place.workspace, room_id,
                                                               direct=True), to=None)
            event_id = await self.send(private, owner=owner)
            await self.send(Outbound(message.place, wording.direct_message_sent(message.lang), lang=message.lang,
                                     mention=message.to))
            return event_id
        rendered = render(message)
        content: JSON = {"msgtype": "m.text", "body": rendered.body, "format": "org.matrix.custom.html",
                         "formatted_body": rendered.html, "m.mentions": {"user_ids": list(rendered.mentions)}}
        thread = message.place.thread_id
        if thread:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread, "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        room_id = message.place.channel_id
        event_id = await self._put(room_id, "m.room.message", content)
        card = message.card
        if card is not None:
            card_owner = None if card.kind is CardKind.APPROVE else (owner or message.mention)
            now = datetime.now(UTC)
            posted = PostedCard(event_id, card, message.place, card_owner, now)
            self.cards.remember(posted)
            if self.store is not None:
                try:
                    await self.store.keep_card(posted, now)
                except Exception as exc:  # the card still works until a restart: say so, post it anyway
                    log.warning("matrix.card.not_kept", event_id=event_id, error=f"{type(exc).__name__}: {exc}")
            for key in self._hints(card.kind, len(card.buttons)):
                await self._put(room_id, "m.reaction",
                                {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}})
        return event_id

    async def _direct_room(self, user_id: str) -> str:
        from mautrix.api import Method, Path

        known = self._dm_with.get(user_id)
        if known is not None and known in self._rooms:
            return known
        answer = await self._api().api.request(Method.POST, Path.v3.createRoom, {
            "invite": [user_id], "is_direct": True, "preset": "trusted_private_chat"})
        room_id = str(answer["room_id"])
        self._dm_with[user_id] = room_id
        self._invited[room_id] = _Room(direct=True)
        return room_id

    @staticmethod
    def _hints(kind: CardKind, options: int) -> tuple[str, ...]:
        """Reactions the bot puts on its own card, so answering is one click (its own are never read)."""
        if kind is CardKind.CHOOSE:
            return KEYCAPS[:min(options, len(KEYCAPS))]
        return ("👍", "👎")

    async def _notice(self, room_id: str, text: str) -> None:
        try:
            await self._put(room_id, "m.room.message", {"msgtype": "m.notice", "body": text})
        except Exception as exc:
            log.warning("matrix.send.failed", room_id=room_id, error=f"{type(exc).__name__}: {exc}")

    async def _put(self, room_id: str, event_type: str, content: JSON) -> str:
        """PUT an event; throttling (429) and homeserver hiccups (5xx) are retried a few times."""
        from mautrix.api import Method, Path
        from mautrix.errors import MatrixRequestError

        api = self._api().api
        txn = api.get_txn_id()
        for attempt in range(4):
            try:
                answer = await api.request(Method.PUT, Path.v3.rooms[room_id].send[event_type][txn], content,
                                           retry_count=2, metrics_method="sendMessageEvent")
                return str(answer["event_id"])
            except MatrixRequestError as exc:
                if exc.http_status not in (429, 502, 503, 504) or attempt == 3:
                    raise
                await asyncio.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")
