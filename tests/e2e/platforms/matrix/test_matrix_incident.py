"""The real platform door over a real Synapse, with the fake fleet (no sshd): the seed's scenario 2 in French
("le site est down, qu'est-ce qui se passe ?" → the diagnosis with numbered fixes → a keycap reaction or a reply
with the number → the confirmation card → 👍 → nginx restarted and verified, once), the channel (room) policy, an
unlinked user, and a look-alike card that is not the bot's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.config import Settings
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.services.fakes import FakeFleet
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.door import PlatformDoorService
from chatops_commander.services.platforms.records import ChannelPolicy
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2
from tests.e2e.platforms.matrix.client import Event, MatrixUser, room_with_bot
from tests.e2e.platforms.matrix.conftest import StartBot
from tests.e2e.platforms.world import fleet_and_chat, link_person, nginx_crashed, restarts

pytestmark = pytest.mark.slow  # Synapse takes ~10 s to start (once per session)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, register_localhost=False, **CHEAP_ARGON2)


@dataclass
class MxWorld:
    container: bootstrap.Container
    fleet: FakeFleet
    door: PlatformDoorService
    bot_id: str

    async def link(self, chat: MatrixUser, role: Role, email: str) -> None:
        await link_person(self.container, self.fleet, role, email, platform=Platform.MATRIX, chat_user=chat.user_id,
                          workspace=self.bot_id.split(":", 1)[1], display_name=email)


@pytest.fixture
async def mx(container: bootstrap.Container, bot_id: str) -> MxWorld:
    fleet, chat = await fleet_and_chat(container)
    ps = bootstrap_platforms.PlatformSettings(_env_file=None, chat_rate_limit="1000/minute")  # type: ignore[call-arg]
    return MxWorld(container, fleet, bootstrap_platforms.platform_door(container, chat, ps), bot_id)


def body(event: dict[str, object]) -> str:
    content = event["content"]
    assert isinstance(content, dict)
    return str(content["body"])


async def _site_down(alice: MatrixUser, bot_id: str) -> tuple[str, Event]:
    """Alice says the site is down in her direct room with the bot: (the room, the bot's diagnosis)."""
    room = await room_with_bot(alice, bot_id, direct=True)
    asked = await alice.say(room, "Le site est down, qu'est-ce qui se passe ?")
    return room, await alice.wait_for_reply(room, asked, bot_id)


async def test_the_site_is_down_diagnosis_a_keycap_reaction_picks_the_fix_and_a_thumbs_up_runs_it_verified(
        mx: MxWorld, start_bot: StartBot, alice: MatrixUser) -> None:
    nginx_crashed(mx.fleet)
    await mx.link(alice, Role.OPERATOR, "alice@example.com")
    async with start_bot(mx.door):
        room, diagnosis = await _site_down(alice, mx.bot_id)
        text = body(diagnosis)
        assert "• nginx sur web-01 : ❌ ARRÊTÉ (stopped, depuis " in text, text
        assert "• HTTP web-01 (http://web-01.example/health) : ❌ connection refused" in text
        assert "Cause probable : nginx est arrêté sur web-01 (web-02 prend le relais)." in text
        assert "worker process 42 exited on signal 11 (core dumped)" in text
        assert "1. Redémarrer nginx sur web-01" in text and "Réagissez avec le numéro de l'option" in text
        assert restarts(mx.fleet, "web-01") == 0

        await alice.react(room, diagnosis["event_id"], "1️⃣")
        card = await alice.wait_for_reply(room, diagnosis["event_id"], mx.bot_id)
        assert body(card).startswith("⚠️ Action critique\nRedémarrer nginx sur web-01 ?"), body(card)
        assert "Réagissez 👍 pour confirmer" in body(card) and restarts(mx.fleet, "web-01") == 0

        await alice.react(room, card["event_id"], "👍")
        done = await alice.wait_for_reply(room, card["event_id"], mx.bot_id)
        assert "web-01 : ✅ J'ai redémarré nginx. Vérifié à l'instant : nginx tourne" in body(done), body(done)
        await alice.react(room, card["event_id"], "✅")  # the same card again
        replay = await alice.wait_for_reply(room, done["event_id"], mx.bot_id)
    assert "Ce bouton a déjà servi" in body(replay), body(replay)  # in the card's language
    assert mx.fleet.hosts["web-01"].services["nginx"] is True
    assert restarts(mx.fleet, "web-01") == 1 and restarts(mx.fleet, "web-02") == 0


async def test_the_fix_is_picked_by_replying_with_its_number_and_confirmed_by_replying_oui(
        mx: MxWorld, start_bot: StartBot, alice: MatrixUser) -> None:
    nginx_crashed(mx.fleet)
    await mx.link(alice, Role.OPERATOR, "alice@example.com")
    async with start_bot(mx.door):
        room, diagnosis = await _site_down(alice, mx.bot_id)
        answer = await alice.say(room, "1", reply_to=diagnosis["event_id"], mention=mx.bot_id)
        card = await alice.wait_for_reply(room, answer, mx.bot_id)
        assert "Redémarrer nginx sur web-01 ?" in body(card), body(card)
        answer = await alice.say(room, "oui", reply_to=card["event_id"], mention=mx.bot_id)
        done = await alice.wait_for_reply(room, answer, mx.bot_id)
    assert "Vérifié à l'instant : nginx tourne" in body(done), body(done)
    assert mx.fleet.hosts["web-01"].services["nginx"] is True and restarts(mx.fleet, "web-01") == 1


async def test_the_room_policy_is_enforced(mx: MxWorld, start_bot: StartBot, alice: MatrixUser) -> None:
    await mx.link(alice, Role.ADMIN, "alice@example.com")
    async with start_bot(mx.door):
        room = await room_with_bot(alice, mx.bot_id)
        await bootstrap_platforms.platform_store(mx.container).set_policy(
            ChannelPolicy(Platform.MATRIX, room, ("server.*", "service.*"), ("web",), Risk.MEDIUM))
        asked = await alice.say(room, "chatops: restart postgresql on db-master", mention=mx.bot_id)
        refused = await alice.wait_for_reply(room, asked, mx.bot_id)
        assert "This channel does not allow db-master" in body(refused), body(refused)
        asked = await alice.say(room, "chatops: help", mention=mx.bot_id)
        helped = await alice.wait_for_reply(room, asked, mx.bot_id)
    assert "`service.restart`" in body(helped) and "`server.reboot`" not in body(helped)
    assert mx.fleet.sent("db-master") == []


async def test_an_unlinked_user_is_refused_and_a_look_alike_card_posted_by_someone_else_runs_nothing(
        mx: MxWorld, start_bot: StartBot, alice: MatrixUser, bob: MatrixUser) -> None:
    await mx.link(alice, Role.OPERATOR, "alice@example.com")
    async with start_bot(mx.door):
        room = await room_with_bot(alice, mx.bot_id, bob)
        asked = await bob.say(room, "chatops: restart nginx on web-01", mention=mx.bot_id)
        refused = await bob.wait_for_reply(room, asked, mx.bot_id)
        assert "I run nothing for you" in body(refused)
        asked = await alice.say(room, "chatops: restart nginx on web-01", mention=mx.bot_id)
        card = await alice.wait_for_reply(room, asked, mx.bot_id)
        fake = await bob.say(room, body(card))  # the same text, but not the bot's card
        await alice.react(room, fake, "👍")
        await alice.say(room, "yes", reply_to=fake)
        asked = await alice.say(room, "chatops: is everything ok?", mention=mx.bot_id)
        morning = await alice.wait_for_reply(room, asked, mx.bot_id)  # the room's events are handled in order
        assert restarts(mx.fleet, "web-01") == 0
        await alice.react(room, card["event_id"], "👍")
        done = await alice.wait_for_reply(room, morning["event_id"], mx.bot_id)
    assert "web-01" in body(done) and restarts(mx.fleet, "web-01") == 1
