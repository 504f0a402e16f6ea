"""The seed's scenario 2 through Mattermost, in English: "The site is down, what's going on?" → the diagnosis with
the numbered fixes as interactive attachment buttons → the fix's button → the confirmation card → Confirm → nginx
restarted on the fake fleet and verified running. And the channel policy, checked on what a button chooses too."""

from __future__ import annotations

from chatops_commander import bootstrap_platforms
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.records import ChannelPolicy
from tests.e2e.platforms.mattermost.conftest import MmWorld
from tests.e2e.platforms.world import nginx_crashed, restarts

RESTART = "1. Restart nginx on web-01"


async def test_the_site_is_down_diagnosis_offers_numbered_fix_buttons_and_the_chosen_fix_runs_verified(
        world: MmWorld) -> None:
    nginx_crashed(world.fleet)
    await world.linked("u-op", Role.OPERATOR, "op@example.com")
    root = await world.mm.say("u-op", "op", "@chatops The site is down, what's going on?")
    [diagnosis] = await world.mm.wait_posts(1)
    text = diagnosis.all_text
    assert "• nginx on web-01: ❌ STOPPED (stopped, since " in text, text
    assert "• nginx on web-02: ✅ running" in text
    assert "• HTTP web-01 (http://web-01.example/health): ❌ connection refused" in text
    assert "Probable cause: nginx is stopped on web-01 (web-02 still serves)." in text
    assert "worker process 42 exited on signal 11 (core dumped)" in text
    assert list(diagnosis.actions()) == [RESTART, "2. Show the full logs of nginx on web-01",
                                         "3. Check nginx on every host"]
    assert "What would you like to do?" in text and diagnosis.root_id == root
    assert restarts(world.fleet, "web-01") == 0

    assert (await world.mm.press(diagnosis, RESTART, "u-op", "op")).status_code == 200
    [_, card] = await world.mm.wait_posts(2)
    assert card.message.startswith("⚠️ Critical action\nRestart nginx on web-01?"), card.message
    assert list(card.actions()) == ["Confirm", "Cancel"] and card.root_id == root
    assert restarts(world.fleet, "web-01") == 0  # nothing ran before the confirmation

    assert (await world.mm.press(card, "Confirm", "u-op", "op")).status_code == 200
    [*_, done] = await world.mm.wait_posts(3)
    assert "web-01: ✅ I restarted nginx. Checked just now: nginx running (pid 4242)" in done.message, done.message
    assert "• Site reachable: ✅ (web-01)" in done.message
    assert world.fleet.hosts["web-01"].services["nginx"] is True
    assert restarts(world.fleet, "web-01") == 1 and restarts(world.fleet, "web-02") == 0


async def test_the_channel_policy_is_enforced_on_a_message_and_on_a_fix_button(world: MmWorld) -> None:
    await world.linked("u-alice", Role.ADMIN, "alice@example.com")
    store = bootstrap_platforms.platform_store(world.container)
    await store.set_policy(ChannelPolicy(Platform.MATTERMOST, "web-channel", ("server.*", "service.*"), ("web",),
                                         Risk.MEDIUM))
    await world.mm.say("u-alice", "alice", "@chatops restart postgresql on db-master", channel="web-channel")
    [refused] = await world.mm.wait_posts(1)
    assert "This channel does not allow db-master" in refused.message and world.fleet.sent("db-master") == []
    await world.mm.say("u-alice", "alice", "@chatops reboot web-01", channel="web-channel")
    [_, too_risky] = await world.mm.wait_posts(2)
    assert "This channel does not allow critical risk (at most medium)" in too_risky.message, too_risky.message
    assert not too_risky.actions()

    # a channel where only reads are allowed: the diagnosis is, its restart button is not
    await store.set_policy(ChannelPolicy(Platform.MATTERMOST, "watch-channel", ("incident.*", "service.status",
                                                                                 "service.logs"), (),
                                         Risk.LOW))
    nginx_crashed(world.fleet)
    await world.mm.say("u-alice", "alice", "@chatops The site is down, what's going on?", channel="watch-channel")
    [*_, diagnosis] = await world.mm.wait_posts(3)
    assert RESTART in diagnosis.actions(), diagnosis.all_text
    await world.mm.press(diagnosis, RESTART, "u-alice", "alice")
    [*_, policy] = await world.mm.wait_posts(4)
    assert "This channel does not allow the action `service.restart`" in policy.message, policy.message
    assert not policy.actions() and restarts(world.fleet, "web-01") == 0
