"""Mattermost end to end: our bot over REST v4 + WebSocket against the local Mattermost, the platform door, the
chat engine and the database. The seed's scenarios and the refusals (callback without the action token,
forged or replayed buttons, approval of one's own request, unlinked user)."""

from __future__ import annotations

from chatops_commander.domain.roles import Role
from tests.e2e.platforms.mattermost.conftest import MmWorld


async def test_an_unlinked_user_is_told_how_to_link_and_nothing_runs(world: MmWorld) -> None:
    await world.mm.say("u-stranger", "stranger", "@chatops restart nginx on web-01")
    [post] = await world.mm.wait_posts(1)
    assert "I run nothing for you" in post.message and world.fleet.sent("web-01") == []


async def test_morning_check_in_a_direct_message_and_in_the_thread_of_a_mention(world: MmWorld) -> None:
    await world.linked("u-alice", Role.ADMIN, "alice@example.com")
    root = await world.mm.say("u-alice", "alice", "@chatops is everything ok?")
    [post] = await world.mm.wait_posts(1)
    assert "3/3 servers up" in post.message and post.root_id == root
    await world.mm.say("u-alice", "alice", "tout va bien ?", channel="dm-alice", channel_type="D")
    [_, dm] = await world.mm.wait_posts(2)
    assert dm.channel_id == "dm-alice" and "serveurs opérationnels" in dm.message and dm.root_id == ""


async def test_restart_with_the_confirm_button_once_and_callbacks_without_the_token_or_replayed_are_refused(
        world: MmWorld) -> None:
    await world.linked("u-alice", Role.OPERATOR, "alice@example.com")
    await world.mm.say("u-alice", "alice", "@chatops restart nginx on web-01")
    [card] = await world.mm.wait_posts(1)
    assert set(card.actions()) == {"Confirm", "Cancel"}
    assert "token" not in card.message  # the context is the server's, never in the text
    context = dict(card.actions()["Confirm"]["integration"]["context"])
    forged = await world.mm.press(card, "Confirm", "u-alice", "alice", context={**context, "token": "guess"})
    assert forged.status_code == 401 and world.fleet.sent("web-01") == []
    ok = await world.mm.press(card, "Confirm", "u-alice", "alice")
    assert ok.status_code == 200
    [_, result] = await world.mm.wait_posts(2)
    assert any("restart" in line for line in world.fleet.sent("web-01")) and result.root_id == card.root_id
    again = await world.mm.press(card, "Confirm", "u-alice", "alice")
    assert again.status_code == 200
    [*_, replay] = await world.mm.wait_posts(3)
    assert "used already" in replay.message and sum("restart" in x for x in world.fleet.sent("web-01")) == 1


async def test_deploy_waits_for_a_second_linked_person_in_the_approvers_channel(world: MmWorld) -> None:
    await world.linked("u-op", Role.OPERATOR, "deployer@example.com")
    await world.linked("u-boss", Role.ADMIN, "boss@example.com")
    await world.mm.say("u-op", "op", "@chatops deploy v2.5.0 to production")
    waiting, card = await world.mm.wait_posts(2)
    assert waiting.channel_id == "ops-channel" and card.channel_id == "approvers-channel"
    assert set(card.actions()) == {"Approve", "Reject"}
    await world.mm.press(card, "Approve", "u-op", "op")
    [*_, own] = await world.mm.wait_posts(3)
    assert "your own request" in own.message and world.fleet.sent("web-01") == []
    await world.mm.press(card, "Approve", "u-boss", "boss")
    posts = await world.mm.wait_posts(5)
    assert "Approved by boss@example.com" in posts[3].message
    assert posts[4].channel_id == "ops-channel" and "Step 1/3" in posts[4].message
    assert posts[4].message.startswith("@u-op ")  # the requester is notified
    assert any("install-shop" in line for line in world.fleet.sent("web-01"))


async def test_a_forged_payload_with_the_right_token_is_still_refused(world: MmWorld) -> None:
    await world.linked("u-alice", Role.OPERATOR, "alice@example.com")
    await world.mm.say("u-alice", "alice", "@chatops restart nginx on web-01")
    [card] = await world.mm.wait_posts(1)
    context = dict(card.actions()["Confirm"]["integration"]["context"])
    context["payload"] = context["payload"][:-3] + "abc"
    await world.mm.press(card, "Confirm", "u-alice", "alice", context=context)
    [_, refused] = await world.mm.wait_posts(2)
    assert "not issued by me" in refused.message and world.fleet.sent("web-01") == []


async def test_the_link_offer_in_a_channel_is_shown_to_the_asker_only(world: MmWorld) -> None:
    await world.mm.say("u-bob", "bob", "@chatops link my account")
    [offer] = await world.mm.wait_posts(1)
    assert "/link/" in offer.message and offer.only_for == "u-bob"
