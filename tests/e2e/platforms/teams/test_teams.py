"""Microsoft Teams end to end: Microsoft's Teams SDK in our bot, against the local Teams (Bot Framework connector and
Entra ID speaking their wire formats), the platform door, the chat engine and the database. The seed's scenarios
through Adaptive Cards, and the refusals: an activity without a valid Bot Framework token, forged or replayed
buttons, approval of one's own request, an unlinked user, the channel policy."""

from __future__ import annotations

from chatops_commander.domain.roles import Role
from tests.e2e.platforms.teams.conftest import TeamsWorld
from tests.e2e.platforms.teams.fake_teams import APPROVERS, CHANNEL


async def test_an_unlinked_user_is_told_how_to_link_and_nothing_runs(world: TeamsWorld) -> None:
    response, sent = await world.teams.say("aad-stranger", "Stranger", "restart nginx on web-01")
    assert response.status_code == 200
    [post] = await world.teams.wait_posts(1)
    assert "I run nothing for you" in post.text and world.fleet.sent("web-01") == []
    assert post.conversation_id == f"{CHANNEL};messageid={sent['id']}"  # answered in the thread of the message
    assert world.teams.token_requests >= 1  # the bot's token came from Entra (client credentials, through MSAL)


async def test_morning_check_in_a_channel_thread_and_in_a_direct_chat(world: TeamsWorld) -> None:
    await world.linked("aad-alice", Role.ADMIN, "alice@example.com")
    await world.teams.say("aad-alice", "Alice", "is everything ok?")
    [post] = await world.teams.wait_posts(1)
    assert "3/3 servers up" in post.text
    await world.teams.say("aad-alice", "Alice", "tout va bien ?", channel=None)
    [_, direct] = await world.teams.wait_posts(2)
    assert direct.conversation_id == "a:direct-29:aad-alice" and "serveurs opérationnels" in direct.text


async def test_activities_without_a_valid_bot_framework_token_are_refused(world: TeamsWorld) -> None:
    await world.linked("aad-alice", Role.ADMIN, "alice@example.com")
    teams = world.teams
    for token in (None, teams.token(key=teams.forger_key), teams.token(aud="someone-else"),
                  teams.token(iss="https://evil.example.com"), teams.token(exp=1_000_000_000, iat=999_999_000,
                                                                          nbf=999_999_000),
                  teams.token(serviceurl="https://attacker.example.com/")):
        response, _ = await teams.say("aad-alice", "Alice", "restart nginx on web-01", token=token)
        assert response.status_code == 401, token
    response, _ = await teams.say("aad-alice", "Alice", "is everything ok?")
    assert response.status_code == 200
    [post] = await teams.wait_posts(1)  # only the genuine activity was answered
    assert "3/3 servers up" in post.text and not any("restart" in line for line in world.fleet.sent("web-01"))


async def test_restart_with_the_confirm_button_runs_once_and_a_replay_or_someone_elses_press_is_refused(
        world: TeamsWorld) -> None:
    await world.linked("aad-alice", Role.OPERATOR, "alice@example.com")
    await world.linked("aad-bob", Role.OPERATOR, "bob@example.com")
    await world.teams.say("aad-alice", "Alice", "restart nginx on web-01")
    [card] = await world.teams.wait_posts(1)
    assert set(card.actions()) == {"Confirm", "Cancel"} and card.card is not None
    assert card.card["version"] == "1.5" and card.actions()["Confirm"]["type"] == "Action.Execute"
    assert "web-01" in card.all_text
    other = await world.teams.press(card, "Confirm", "aad-bob", "Bob")
    assert other.status_code == 200
    [_, refused] = await world.teams.wait_posts(2)
    assert "not for you" in refused.text
    assert world.fleet.sent("web-01") == []
    pressed = await world.teams.press(card, "Confirm", "aad-alice", "Alice")
    assert pressed.status_code == 200 and pressed.json()["type"] == "application/vnd.microsoft.activity.message"
    [*_, result] = await world.teams.wait_posts(3)
    assert any("restart" in line for line in world.fleet.sent("web-01"))
    assert result.conversation_id == card.conversation_id
    await world.teams.press(card, "Confirm", "aad-alice", "Alice")
    [*_, replay] = await world.teams.wait_posts(4)
    assert "used already" in replay.text and sum("restart" in x for x in world.fleet.sent("web-01")) == 1


async def test_a_forged_button_payload_is_refused(world: TeamsWorld) -> None:
    await world.linked("aad-alice", Role.OPERATOR, "alice@example.com")
    await world.teams.say("aad-alice", "Alice", "restart nginx on web-01")
    [card] = await world.teams.wait_posts(1)
    data = dict(card.actions()["Confirm"]["data"])
    data["chatops"] = data["chatops"][:-3] + "abc"
    await world.teams.press(card, "Confirm", "aad-alice", "Alice", data=data)
    [_, refused] = await world.teams.wait_posts(2)
    assert "not issued by me" in refused.text and world.fleet.sent("web-01") == []


async def test_deploy_waits_for_a_second_linked_person_in_the_approvers_channel(world: TeamsWorld) -> None:
    await world.linked("aad-op", Role.OPERATOR, "deployer@example.com")
    await world.linked("aad-boss", Role.ADMIN, "boss@example.com")
    await world.teams.say("aad-op", "Op", "deploy v2.5.0 to production")
    waiting, card = await world.teams.wait_posts(2)
    assert waiting.conversation_id.startswith(CHANNEL) and card.conversation_id == APPROVERS
    assert set(card.actions()) == {"Approve", "Reject"}
    await world.teams.press(card, "Approve", "aad-op", "Op")
    [*_, own] = await world.teams.wait_posts(3)
    assert "your own request" in own.text and world.fleet.sent("web-01") == []
    await world.teams.press(card, "Approve", "aad-boss", "Boss")
    posts = await world.teams.wait_posts(5)
    assert "Approved by boss@example.com" in posts[3].text
    assert posts[4].conversation_id == waiting.conversation_id and "Step 1/3" in posts[4].text
    assert posts[4].mentions == ["29:aad-op"]  # the requester is @mentioned
    assert any("install-shop" in line for line in world.fleet.sent("web-01"))


async def test_the_link_offer_in_a_channel_goes_to_a_direct_chat(world: TeamsWorld) -> None:
    await world.teams.say("aad-bob", "Bob", "link my account")
    private, told = await world.teams.wait_posts(2)
    assert private.conversation_id == "a:direct-29:aad-bob" and "/link/" in private.text
    assert told.conversation_id.startswith(CHANNEL) and "/link/" not in told.text
    assert "direct message" in told.text


async def test_the_incident_is_diagnosed_and_the_fix_chosen_confirmed_and_verified_with_card_buttons(
        world: TeamsWorld) -> None:
    await world.linked("aad-op", Role.OPERATOR, "op@example.com")
    world.fleet.hosts["web-01"].services["nginx"] = False
    await world.teams.say("aad-op", "Op", "Le site est down, qu'est-ce qui se passe ?")
    [diagnosis] = await world.teams.wait_posts(1)
    assert "nginx sur web-01 : ❌ ARRÊTÉ" in diagnosis.all_text, diagnosis.all_text
    choices = diagnosis.actions()
    [restart] = [title for title in choices if title.startswith("1")]
    assert "nginx" in restart and "web-01" in restart
    assert not any("restart" in line for line in world.fleet.sent("web-01"))
    await world.teams.press(diagnosis, restart, "aad-op", "Op")
    [_, card] = await world.teams.wait_posts(2)
    assert set(card.actions()) == {"Confirmer", "Annuler"} and "web-01" in card.all_text
    assert not any("restart" in line for line in world.fleet.sent("web-01"))  # nothing ran before the confirmation
    await world.teams.press(card, "Confirmer", "aad-op", "Op")
    [*_, done] = await world.teams.wait_posts(3)
    assert "J'ai redémarré nginx" in done.text and "nginx tourne" in done.text, done.text
    assert world.fleet.hosts["web-01"].services["nginx"] is True
    assert not any("restart" in line for line in world.fleet.sent("web-02"))


async def test_the_channel_policy_is_enforced_and_help_lists_what_this_channel_allows(world: TeamsWorld) -> None:
    from chatops_commander import bootstrap_platforms
    from chatops_commander.domain.risk import Risk
    from chatops_commander.services.platforms.contract import Platform
    from chatops_commander.services.platforms.records import ChannelPolicy

    await world.linked("aad-alice", Role.ADMIN, "alice@example.com")
    await bootstrap_platforms.platform_store(world.container).set_policy(
        ChannelPolicy(Platform.TEAMS, "19:web@thread.tacv2", ("server.*", "service.*"), ("web",), Risk.MEDIUM))
    await world.teams.say("aad-alice", "Alice", "restart postgresql on db-master", channel="19:web@thread.tacv2")
    [refused] = await world.teams.wait_posts(1)
    assert "This channel does not allow db-master" in refused.text and world.fleet.sent("db-master") == []
    await world.teams.say("aad-alice", "Alice", "help", channel="19:web@thread.tacv2")
    [_, helped] = await world.teams.wait_posts(2)
    assert "`service.restart`" in helped.text and "`server.reboot`" not in helped.text
    await world.teams.say("aad-alice", "Alice", "disk usage on web", channel="19:web@thread.tacv2")
    [*_, web] = await world.teams.wait_posts(3)
    assert "web-01" in web.text and "web-02" in web.text and "db-master" not in web.text, web.text
    assert "does not allow" not in web.text  # the channel's servers, named by their group
    await world.teams.say("aad-alice", "Alice", "restart postgresql on db-master")  # another channel: no policy
    [*_, card] = await world.teams.wait_posts(4)
    assert set(card.actions()) == {"Confirm", "Cancel"}
