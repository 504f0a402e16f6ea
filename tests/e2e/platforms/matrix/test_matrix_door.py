"""The real platform door over Matrix: a real Synapse, the real chat engine and action pipeline, the sshd fleet.

Unlinked users are refused, the link flow links, the morning check runs, a restart is confirmed by reaction or
by reply (a replayed or foreign reaction is refused), a deploy waits for a second person's reaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from chatops_commander import bootstrap_platforms
from chatops_commander.adapters.db.platform_repositories import SqlPlatformStore
from chatops_commander.domain.roles import Role
from chatops_commander.domain.users import User
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.door import PlatformDoorService
from chatops_commander.services.platforms.records import ChatIdentity
from chatops_commander.services.principal import AuthMethod, Principal
from tests.e2e.chat.conftest import ChatWorld, settings, world  # noqa: F401  (the fleet world's fixtures)
from tests.e2e.chat.test_health_and_deploy import RUNBOOK
from tests.e2e.platforms.matrix.client import MatrixUser
from tests.e2e.platforms.matrix.conftest import StartBot

_BACKUP_STEP = RUNBOOK[RUNBOOK.index("  - name: {en: Database backup"):RUNBOOK.index("  - name: {en: Rolling update")]
WITHOUT_BACKUP = RUNBOOK.replace(_BACKUP_STEP, "")

pytestmark = [pytest.mark.slow, pytest.mark.fleet]


@dataclass
class Setup:
    world: ChatWorld
    door: PlatformDoorService
    bot_id: str

    @property
    def cards(self) -> SqlPlatformStore:
        """Where the bot keeps its cards, as `chatops bots run matrix` does: the platform store."""
        return bootstrap_platforms.platform_store(self.world.container)

    async def link(self, chat: MatrixUser, role: Role, email: str, *, execute_on: tuple[str, ...] = ()) -> User:
        """An admin's mapping (like `chatops bots link import`)."""
        user, _ = await self.world.user(role, email, execute_on=execute_on)
        assert user.id is not None
        store = bootstrap_platforms.platform_store(self.world.container)
        await store.link(ChatIdentity(Platform.MATRIX, chat.user_id, user.id, self.bot_id.split(":", 1)[1],
                                      email, "admin", datetime.now(UTC)))
        return user

    async def rows(self, action: str) -> list[object]:
        async with self.world.container.uow() as uow:
            return [r for r in await uow.commands.list(limit=200) if r.action == action]


@pytest.fixture
async def setup(world: ChatWorld, bot_id: str) -> Setup:  # noqa: F811
    return Setup(world, bootstrap_platforms.platform_door(world.container, chat=world.app.state.chat_service), bot_id)


async def _dm(user: MatrixUser, bot_id: str) -> str:
    room = await user.create_room(invite=(bot_id,), direct=True)
    await user.wait_joined(room, bot_id)
    return room


async def test_an_unlinked_user_is_refused_then_links_with_the_one_time_url_and_runs_the_morning_check(
        setup: Setup, start_bot: StartBot, alice: MatrixUser) -> None:
    async with start_bot(setup.door, store=setup.cards):
        room = await _dm(alice, setup.bot_id)
        asked = await alice.say(room, "restart nginx on web-01")
        refused = await alice.wait_for_reply(room, asked, setup.bot_id)
        assert "I run nothing for you" in refused["content"]["body"]
        assert await setup.rows("service.restart") == []

        asked = await alice.say(room, "link my account")
        offer = (await alice.wait_for_reply(room, asked, setup.bot_id))["content"]["body"]
        assert "/link/" in offer
        token = offer.split("/link/")[1].split()[0].rstrip(".)")
        user, _ = await setup.world.user(Role.OPERATOR, "alice@example.com", execute_on=("web-01",))
        assert user.id is not None
        principal = Principal(user.id, user.email, user.role, AuthMethod.COOKIE)
        await bootstrap_platforms.linking(setup.world.container).confirm(token, principal)  # the web page's step

        asked = await alice.say(room, "is everything ok?")
        morning = (await alice.wait_for_reply(room, asked, setup.bot_id, within=90))["content"]
    assert "servers up" in morning["body"], morning["body"]
    assert morning["format"] == "org.matrix.custom.html"


async def test_a_restart_is_confirmed_by_reaction_once_and_a_replayed_or_foreign_reaction_does_not_run_it(
        setup: Setup, start_bot: StartBot, alice: MatrixUser, bob: MatrixUser) -> None:
    await setup.link(alice, Role.OPERATOR, "alice@example.com", execute_on=("web-01",))
    await setup.link(bob, Role.ADMIN, "bob@example.com")
    async with start_bot(setup.door, store=setup.cards):
        room = await alice.create_room(invite=(setup.bot_id, bob.user_id))
        await bob.join(room)
        await alice.wait_joined(room, setup.bot_id)
        asked = await alice.say(room, "chatops: restart nginx on web-01")
        card = await alice.wait_for_reply(room, asked, setup.bot_id, within=60)
        assert "<ol>" in card["content"]["formatted_body"] and "👍" in card["content"]["body"]
        await bob.react(room, card["event_id"], "👍")  # not bob's card: nothing
        await alice.react(room, card["event_id"], "👍")
        done = await alice.wait_for_reply(room, card["event_id"], setup.bot_id, within=90)
        assert "web-01" in done["content"]["body"]
        await alice.react(room, card["event_id"], "✅")  # the same card again: the door refuses the replay
        replay = await alice.wait_for_reply(room, done["event_id"], setup.bot_id)
    assert "used already" in replay["content"]["body"]
    assert "RUNNING" in setup.world.fleet.supervisorctl("web-01", "status", "nginx")
    rows = await setup.rows("service.restart")
    assert len(rows) == 1 and rows[0].door == "matrix" and rows[0].confirmed  # type: ignore[attr-defined]


async def test_a_restart_is_confirmed_by_a_reply_to_the_card(
        setup: Setup, start_bot: StartBot, alice: MatrixUser) -> None:
    await setup.link(alice, Role.OPERATOR, "alice@example.com", execute_on=("web-01",))
    async with start_bot(setup.door, store=setup.cards):
        room = await _dm(alice, setup.bot_id)
        asked = await alice.say(room, "redémarre nginx sur web-01")
        card = await alice.wait_for_reply(room, asked, setup.bot_id, within=60)
        assert "Réagissez 👍 pour confirmer" in card["content"]["body"]
        answer = await alice.say(room, "oui", reply_to=card["event_id"], mention=setup.bot_id)
        await alice.wait_for_reply(room, answer, setup.bot_id, within=90)
    rows = await setup.rows("service.restart")
    assert len(rows) == 1 and rows[0].confirmed  # type: ignore[attr-defined]


async def test_a_deploy_waits_for_a_second_persons_reaction_and_the_requester_cannot_approve_it(
        setup: Setup, start_bot: StartBot, alice: MatrixUser, bob: MatrixUser) -> None:
    (setup.world.runbooks / "shop.yaml").write_text(WITHOUT_BACKUP)  # no pre-check question: straight to approval
    await setup.link(alice, Role.OPERATOR, "deployer@example.com", execute_on=("web-01", "web-02"))
    await setup.link(bob, Role.ADMIN, "boss@example.com")
    async with start_bot(setup.door, store=setup.cards):
        room = await alice.create_room(invite=(setup.bot_id, bob.user_id))
        await bob.join(room)
        await alice.wait_joined(room, setup.bot_id)
        asked = await alice.say(room, "chatops: deploy v2.5.0 to production")
        card = await alice.wait_for_reply(room, asked, setup.bot_id, within=60)
        assert "React 👍 to approve" in card["content"]["body"], card["content"]["body"]
        await alice.react(room, card["event_id"], "👍")  # the requester
        own = await alice.wait_for_reply(room, card["event_id"], setup.bot_id)
        assert "your own request" in own["content"]["body"]
        assert "v2.5.0" not in (setup.world.fleet.http_get("web-01") or "")
        await bob.react(room, card["event_id"], "👍")
        approved = await bob.wait_for_reply(room, own["event_id"], setup.bot_id, within=120)
    assert "Approved by boss@example.com" in approved["content"]["body"], approved["content"]["body"]
