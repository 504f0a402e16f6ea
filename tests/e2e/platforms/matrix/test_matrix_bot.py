"""The Matrix adapter on a real Synapse, with a small echo door: rooms, DMs, mentions, cards by reaction or reply."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from chatops_commander.adapters.db.engine import create_engine, session_factory
from chatops_commander.adapters.db.platform_repositories import SqlPlatformStore
from chatops_commander.services.platforms.contract import Platform
from tests.e2e.platforms.matrix.client import MatrixUser, room_with_bot
from tests.e2e.platforms.matrix.conftest import StartBot
from tests.e2e.platforms.matrix.door import EchoDoor
from tests.e2e.platforms.matrix.synapse import Account, Homeserver

pytestmark = pytest.mark.slow  # Synapse takes ~10 s to start (once per session)


async def test_a_direct_message_is_answered_with_an_html_and_a_plain_body(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(room, "hello **there**")
        answer = await alice.wait_for_text(room, bot_id, "echo: hello there")
    content = answer["content"]
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>there</strong>" in content["formatted_body"]
    inbound = door.messages[0]
    assert inbound.place.direct and inbound.place.channel_id == room and inbound.place.platform is Platform.MATRIX
    assert inbound.user.user_id == alice.user_id
    assert inbound.place.workspace == bot_id.split(":", 1)[1]


async def test_in_a_room_only_messages_mentioning_the_bot_are_answered_without_the_mention(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, bob)
        await alice.say(room, "just chatting with bob")
        await alice.say(room, f"{bot_id}: check disk on web-01", mention=bot_id)
        await alice.wait_for_text(room, bot_id, "echo: check disk on web-01")
        await bob.say(room, "chatops: status")
        await bob.wait_for_text(room, bot_id, "echo: status")
    assert [m.text for m in door.messages] == ["check disk on web-01", "status"]
    assert not door.messages[0].place.direct


async def test_a_confirm_card_is_answered_by_its_owner_reaction_and_nobody_else(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, bob)
        asked = await alice.say(room, "chatops card")
        card = await alice.wait_for_text(room, bot_id, "Restart nginx on web-01?")
        assert "<ol><li>Confirm</li><li>Cancel</li></ol>" in card["content"]["formatted_body"]
        assert "React 👍 to confirm" in card["content"]["body"]
        await bob.react(room, card["event_id"], "👍")  # not bob's card
        await alice.react(room, asked, "👍")  # not the card message
        await alice.react(room, card["event_id"], "👍🏽")
        await alice.wait_for_text(room, bot_id, f"pressed confirm:1 by {alice.user_id}")
    assert [(p.payload, p.user.user_id, p.message_id) for p in door.presses] == [
        ("confirm:1", alice.user_id, card["event_id"])]


async def test_a_card_is_answered_by_a_reply_with_its_number_or_a_word(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(room, "card")
        first = await alice.wait_for_text(room, bot_id, "Card 1")
        await alice.say(room, "2", reply_to=first["event_id"], mention=bot_id)
        await alice.wait_for_text(room, bot_id, "pressed cancel:1")
        await alice.say(room, "card")
        second = await alice.wait_for_text(room, bot_id, "Card 2")
        await alice.say(room, "oui", reply_to=second["event_id"], mention=bot_id)
        await alice.wait_for_text(room, bot_id, "pressed confirm:2")
    assert [p.payload for p in door.presses] == ["cancel:1", "confirm:2"]


async def test_an_approval_card_press_comes_from_the_user_who_reacted_and_a_replay_reaches_the_door_once_used(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, bob)
        await alice.say(room, "chatops approve")
        card = await bob.wait_for_text(room, bot_id, "Deploy v2.5.0 to production")
        await bob.react(room, card["event_id"], "✅")
        await bob.wait_for_text(room, bot_id, f"pressed approve:1 by {bob.user_id}")
        await alice.react(room, card["event_id"], "👍")  # the requester: the door decides (and refuses)
        await alice.wait_for_text(room, bot_id, "already used: approve:1")
    assert [(p.payload, p.user.user_id) for p in door.presses] == [
        ("approve:1", bob.user_id), ("approve:1", alice.user_id)]


async def test_a_choice_card_takes_a_numbered_reaction(start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(room, "choose")
        card = await alice.wait_for_text(room, bot_id, "Which fix?")
        await alice.react(room, card["event_id"], "3️⃣")
        await alice.wait_for_text(room, bot_id, "pressed fix3:1")
        hints = [e for e in await alice.recent(room) if e["type"] == "m.reaction" and e["sender"] == bot_id]
    assert [h["content"]["m.relates_to"]["key"] for h in hints] == ["1️⃣", "2️⃣", "3️⃣"]
    assert [p.payload for p in door.presses] == ["fix3:1"]  # the bot's own hint reactions were not read


@pytest.fixture
def card_store(tmp_path: Path, sqlite_template: Path) -> Callable[[], AbstractAsyncContextManager[SqlPlatformStore]]:
    """`async with card_store() as store:` — a SQL platform store on the same migrated SQLite file each time (its
    own engine: what a restarted bot process opens)."""
    database = tmp_path / "chatops.db"
    shutil.copyfile(sqlite_template, database)

    @asynccontextmanager
    async def opened() -> AsyncIterator[SqlPlatformStore]:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            yield SqlPlatformStore(session_factory(engine))
        finally:
            await engine.dispose()
    return opened


async def test_a_card_posted_before_the_bot_restarted_is_answered_by_its_owner_reaction_after_it(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str,
        card_store: Callable[[], AbstractAsyncContextManager[SqlPlatformStore]]) -> None:
    door = EchoDoor()
    async with card_store() as store, start_bot(door, store=store):
        room = await room_with_bot(alice, bot_id, bob)
        await alice.say(room, "chatops card")
        card = await alice.wait_for_text(room, bot_id, "Restart nginx on web-01?")
    async with card_store() as store, start_bot(door, store=store) as restarted:
        assert restarted.cards.get(card["event_id"]) is None  # a new bot: nothing in memory
        await bob.react(room, card["event_id"], "👍")  # still not bob's card after the restart
        await bob.say(room, "chatops: after my reaction", mention=bot_id)  # bob's events are answered in order
        await bob.wait_for_text(room, bot_id, "echo: after my reaction")
        await alice.react(room, card["event_id"], "👍")
        await alice.wait_for_text(room, bot_id, f"pressed confirm:1 by {alice.user_id}")
    assert [(p.payload, p.user.user_id, p.message_id) for p in door.presses] == [
        ("confirm:1", alice.user_id, card["event_id"])]


async def test_a_card_posted_before_the_bot_restarted_is_answered_by_a_reply_after_it(
        start_bot: StartBot, alice: MatrixUser, bot_id: str,
        card_store: Callable[[], AbstractAsyncContextManager[SqlPlatformStore]]) -> None:
    door = EchoDoor()
    async with card_store() as store, start_bot(door, store=store):
        room = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(room, "choose")
        card = await alice.wait_for_text(room, bot_id, "Which fix?")
    async with card_store() as store, start_bot(door, store=store):
        await alice.say(room, "2", reply_to=card["event_id"], mention=bot_id)
        await alice.wait_for_text(room, bot_id, "pressed fix2:1")
    assert [p.payload for p in door.presses] == ["fix2:1"]


async def test_history_from_before_the_bot_started_is_not_answered(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, direct=True)
    await alice.say(room, "written while the bot was away")
    async with start_bot(door):
        await alice.say(room, "and now")
        await alice.wait_for_text(room, bot_id, "echo: and now")
    assert [m.text for m in door.messages] == ["and now"]


async def test_messages_before_the_bot_joined_a_room_are_not_answered(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await alice.create_room()
        await alice.say(room, "chatops: old question")
        await alice.invite(room, bot_id)
        await alice.wait_joined(room, bot_id)
        await alice.say(room, "chatops: new question")
        await alice.wait_for_text(room, bot_id, "echo: new question")
    assert [m.text for m in door.messages] == ["new question"]


async def test_an_encrypted_room_gets_a_notice_and_the_bot_leaves(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await alice.create_room(invite=(bot_id,), encrypted=True)
        notice = await alice.wait_for_text(room, bot_id, "end-to-end encrypted")
        await alice.wait_left(room, bot_id)
    assert "chiffré de bout en bout" in notice["content"]["body"]
    assert door.messages == []


async def test_a_long_output_is_cut_and_says_so_in_the_conversation_language(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    async with start_bot(EchoDoor()):
        room = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(room, "big")
        answer = await alice.wait_for_text(room, bot_id, "Disk usage")
    content = answer["content"]
    assert "sortie coupée : 6000 caractères de plus" in content["body"]
    assert "<pre><code>" in content["formatted_body"] and len(content["formatted_body"]) < 5000


async def test_with_an_allow_list_other_rooms_are_declined_but_direct_messages_accepted(
        start_bot: StartBot, alice: MatrixUser, bot_id: str) -> None:
    allowed = await alice.create_room(name="ops-allowed")
    async with start_bot(EchoDoor(), rooms=(allowed,)):
        other = await alice.create_room(invite=(bot_id,), name="random")
        await alice.invite(allowed, bot_id)
        await alice.wait_joined(allowed, bot_id)
        dm = await room_with_bot(alice, bot_id, direct=True)
        await alice.say(dm, "hi")
        await alice.wait_for_text(dm, bot_id, "echo: hi")
        member = await alice.http.get(f"/rooms/{other}/state/m.room.member/{bot_id}")
    assert member.json()["membership"] == "leave"  # the invitation was declined


class _Link:
    """A TCP relay between the bot and Synapse that the test can cut (an outage) and restore."""

    def __init__(self, target: str) -> None:
        from bench.results import free_port

        self.target_port = int(target.rsplit(":", 1)[1])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()
                self._writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_the_bot_reconnects_with_backoff_after_the_homeserver_was_unreachable(
        start_bot: StartBot, synapse: Homeserver, alice: MatrixUser, bot_id: str) -> None:
    link = _Link(synapse.base_url)
    await link.up()
    async with start_bot(EchoDoor(), homeserver=link.url) as bot:
        room = await room_with_bot(alice, bot_id, direct=True)
        await link.down()
        deadline = time.monotonic() + 30
        while bot.sync_failures < 3:  # several failed syncs, spaced by the backoff
            assert time.monotonic() < deadline, "the bot did not notice the outage"
            await asyncio.sleep(0.05)
        asked = await alice.say(room, "are you back?")  # written during the outage
        await link.up()
        await alice.wait_for_reply(room, asked, bot_id)
        assert bot.sync_failures == 0
    await link.down()


async def test_a_token_the_homeserver_refuses_stops_the_bot_with_what_to_do(
        synapse: Homeserver, bot_id: str) -> None:
    from chatops_commander.adapters.platforms.matrix.bot import MatrixBot, MatrixBotError, MatrixConfig

    bot = MatrixBot(MatrixConfig(synapse.base_url, bot_id, "syt_not_a_token"), EchoDoor())
    with pytest.raises(MatrixBotError, match="create a new access token"):
        await asyncio.wait_for(bot.run(), timeout=30)


async def test_messages_beyond_one_syncs_timeline_are_fetched_and_all_answered_in_order(
        start_bot: StartBot, synapse: Homeserver, alice: MatrixUser, bot_id: str) -> None:
    link = _Link(synapse.base_url)
    await link.up()
    door = EchoDoor()
    async with start_bot(door, homeserver=link.url, timeline_limit=3) as bot:
        room = await room_with_bot(alice, bot_id, direct=True)
        await link.down()
        deadline = time.monotonic() + 30
        while bot.sync_failures < 1:
            assert time.monotonic() < deadline, "the bot did not notice the outage"
            await asyncio.sleep(0.05)
        asked = [await alice.say(room, f"message {n}") for n in range(8)]
        await link.up()
        await alice.wait_for_text(room, bot_id, "echo: message 7")
        await alice.wait_for_reply(room, asked[0], bot_id)
    await link.down()
    assert [m.text for m in door.messages] == [f"message {n}" for n in range(8)]


async def test_a_message_for_one_person_goes_to_a_direct_message_and_the_room_is_told(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str) -> None:
    async with start_bot(EchoDoor()):
        room = await room_with_bot(alice, bot_id, bob)
        asked = await alice.say(room, "chatops private")
        note = await bob.wait_for_reply(room, asked, bot_id)
        assert "I sent you a direct message" in note["content"]["body"]
        assert alice.user_id in note["content"]["m.mentions"]["user_ids"]
        dm = await alice.wait_invited(bot_id)
        await alice.join(dm)
        await alice.wait_for_text(dm, bot_id, "https://chatops.example/link/s3cret")
        await alice.say(dm, "hello")  # the new direct message works both ways
        await alice.wait_for_text(dm, bot_id, "echo: hello")
    assert not [e for e in await bob.recent(room) if "s3cret" in e.get("content", {}).get("body", "")]


async def test_a_message_in_a_thread_is_answered_in_that_thread(
        start_bot: StartBot, alice: MatrixUser, bob: MatrixUser, bot_id: str) -> None:
    door = EchoDoor()
    async with start_bot(door):
        room = await room_with_bot(alice, bot_id, bob)
        root = await alice.say(room, "incident on web-01")
        await alice.send(room, "m.room.message", {"msgtype": "m.text", "body": "chatops: status",
                                                  "m.relates_to": {"rel_type": "m.thread", "event_id": root}})
        answer = await alice.wait_for_text(room, bot_id, "echo: status")
    assert answer["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert answer["content"]["m.relates_to"]["event_id"] == root
    assert door.messages[0].place.thread_id == root


async def test_an_unknown_room_alias_in_the_allow_list_stops_the_bot_with_what_to_do(
        synapse: Homeserver, accounts: dict[str, Account], bot_id: str) -> None:
    from chatops_commander.adapters.platforms.matrix.bot import MatrixBot, MatrixBotError, MatrixConfig

    config = MatrixConfig(synapse.base_url, bot_id, accounts["chatops"].access_token, rooms=("#nowhere:chatops.test",))
    with pytest.raises(MatrixBotError, match=r"#nowhere:chatops\.test, which the homeserver does not know"):
        await asyncio.wait_for(MatrixBot(config, EchoDoor()).run(), timeout=30)
