"""A place's restriction (a chat channel's policy) is a gate of the one action pipeline: checked on the action the
turn really resolved — a sentence, a "yes" to a card, a numbered choice, a runbook's hosts — next to the account's
rights, before any card or approval request and again when confirmed. The real chat engine, pipeline, catalog and
offline parser on the shipped fakes."""

from __future__ import annotations

from uuid import UUID

from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.services.actions import Door, NeedsConfirmation, Refused
from chatops_commander.services.chat.turn import TurnReply
from chatops_commander.services.principal import Principal
from tests.unit.pipeline.test_seed_scenarios import fleet, shop_runbook, with_a_recent_backup
from tests.unit.pipeline.world import World, events_of, request, text_of

WEB_ONLY = ChannelRestriction("slack", "C-web", ("server.*", "service.*", "fleet.*"), ("web",), Risk.MEDIUM)


def policy_denials(w: World) -> list[dict[str, object]]:
    return [e.details for e in w.audit("AUTHORIZATION_DENIED") if e.details.get("reason") == "channel_policy"]


def restarted(w: World, host: str) -> bool:
    return any("restart" in line for line in w.fleet.sent(host))


async def say(w: World, who: Principal, conv: UUID, text: str, restriction: ChannelRestriction | None = WEB_ONLY,
              **kw: object) -> TurnReply:
    return await w.say(who, conv, text, door=Door.SLACK, door_detail="slack:T1:U-alice", restriction=restriction,
                       **kw)


async def test_a_request_on_a_server_outside_the_channels_tags_is_refused_audited_and_recorded() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    reply = await say(w, admin, conv, "restart postgresql on db-master")
    text = text_of(reply)
    assert text.startswith("I can't do that for you: This channel does not allow db-master (allowed servers: "
                           "tags web)."), text
    assert not events_of(reply, "confirmation_required") and not w.store.confirmations
    assert not restarted(w, "db-master")
    [denied] = policy_denials(w)
    assert denied["door"] == "slack" and denied["channel"] == "C-web" and denied["action"] == "service.restart"
    assert denied["outside"] == "servers" and denied["servers"] == ["db-master"]
    [row] = w.rows("service.restart")
    assert (row.state, row.server_name, row.door) == ("refused", "db-master", "slack")


async def test_the_refusal_is_in_french_for_a_french_speaker() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com", lang="fr")
    conv = await w.conversation(admin)
    text = text_of(await say(w, admin, conv, "redémarre postgresql sur db-master"))
    assert text.startswith("Je ne peux pas faire cela pour vous : Ce canal ne permet pas db-master (serveurs "
                           "autorisés : étiquettes web)."), text


async def test_an_action_outside_the_channels_patterns_is_refused_even_on_an_allowed_server() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    text = text_of(await say(w, admin, conv, "run a database backup on web-01"))
    assert "This channel does not allow the action `db.backup`" in text, text
    assert w.fleet.sent("web-01") == [] and policy_denials(w)[0]["outside"] == "action"


async def test_the_risk_checked_is_the_one_resolved_a_restart_on_two_hosts_is_high() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    one = await say(w, admin, conv, "restart nginx on web-01")
    assert events_of(one, "confirmation_required")  # medium on one host: allowed here
    await say(w, admin, conv, "cancel")
    text = text_of(await say(w, admin, conv, "restart nginx on web-01 and web-02"))
    assert "This channel does not allow high risk (at most medium)" in text, text  # raised by the fan-out
    assert not restarted(w, "web-01") and not restarted(w, "web-02")


async def test_an_allowed_action_still_asks_its_card_and_runs_on_yes() -> None:
    w = fleet()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    conv = await w.conversation(op)
    [card] = events_of(await say(w, op, conv, "restart nginx on web-01"), "confirmation_required")
    assert card["action"] == "service.restart" and card["targets"] == ["web-01"]
    done = text_of(await say(w, op, conv, "yes"))
    assert "web-01: ✅" in done, done
    assert restarted(w, "web-01") and not policy_denials(w)
    [row] = w.rows("service.restart")
    assert (row.state, row.confirmed, row.door) == ("succeeded", True, "slack")


async def test_a_typed_yes_to_a_card_offered_before_the_channel_was_restricted_is_refused() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    [card] = events_of(await say(w, admin, conv, "restart postgresql on db-master", restriction=None),
                       "confirmation_required")
    text = text_of(await say(w, admin, conv, "yes"))
    assert "This channel does not allow db-master" in text, text
    assert not restarted(w, "db-master") and len(policy_denials(w)) == 1
    assert w.store.confirmations[card["confirmation_id"]].state.value == "confirmed"  # used: no second try


async def test_a_confirm_button_is_checked_again_under_the_channels_policy() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    [card] = events_of(await say(w, admin, conv, "restart postgresql on db-master", restriction=None),
                       "confirmation_required")
    text = text_of(await say(w, admin, conv, "yes", confirmation_id=card["confirmation_id"],
                             action_hash=card["action_hash"]))
    assert "This channel does not allow db-master" in text, text
    assert not restarted(w, "db-master")


async def test_a_numbered_choice_outside_the_channels_patterns_is_refused() -> None:
    w = fleet()
    w.fleet.hosts["db-master"].services["postgresql"] = False
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    looks = ChannelRestriction("slack", "C-look", ("fleet.*", "server.*"))  # looking only, on every server
    offered = text_of(await say(w, admin, conv, "is everything ok?", restriction=looks))
    assert "1. Start postgresql on db-master" in offered, offered  # the fleet check itself is allowed here
    text = text_of(await say(w, admin, conv, "1", restriction=looks))
    assert "This channel does not allow the action `service.start`" in text, text
    assert not any("start" in line for line in w.fleet.sent("db-master")) and not w.store.confirmations
    assert policy_denials(w)[0]["action"] == "service.start"


async def test_a_deploy_whose_runbook_names_servers_outside_the_channels_tags_is_refused_before_the_prechecks(
) -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    staging = ChannelRestriction("slack", "C-staging", ("app.*",), ("staging",), Risk.CRITICAL)
    text = text_of(await say(w, op, conv, "deploy v2.5.0 to production", restriction=staging))
    assert "This channel does not allow web-01, web-02 (allowed servers: tags staging)" in text, text
    assert w.fleet.sent("web-01") == [] and not w.store.approvals and not w.store.deployments
    [denied] = policy_denials(w)
    assert denied["action"] == "app.deploy" and denied["servers"] == ["web-01", "web-02"]


async def test_a_deploy_the_channel_allows_goes_through_its_prechecks_to_the_approval_request() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    with_a_recent_backup(w)
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    deploys = ChannelRestriction("slack", "C-deploys", ("app.*",), ("production",), Risk.CRITICAL)
    [req] = events_of(await say(w, op, conv, "deploy v2.5.0 to production", restriction=deploys),
                      "approval_required")
    assert req["targets"] == ["web-01", "web-02"] and not policy_denials(w)


async def test_the_pipeline_refuses_any_doors_request_outside_its_restriction_as_data() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    pipeline = w.pipeline()
    out = await pipeline.submit(request(admin, "service.restart", ["db-master"], Door.MATRIX,
                                        parameters={"service": "postgresql"}, service="postgresql",
                                        restriction=WEB_ONLY))
    assert isinstance(out, Refused) and out.code == "channel_policy" and "db-master" in out.message_fr
    allowed = await pipeline.submit(request(admin, "service.restart", ["web-01"], Door.MATRIX,
                                            parameters={"service": "nginx"}, service="nginx", restriction=WEB_ONLY))
    assert isinstance(allowed, NeedsConfirmation) and not restarted(w, "web-01")
