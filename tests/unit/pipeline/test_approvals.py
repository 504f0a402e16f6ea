"""Approvals (4-eyes) through the chat door on the fakes: exactly the approved action runs, through the pipeline;
the requester is checked again when an admin decides and at execution; requests expire."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from chatops_commander.domain.chat.approvals import ApprovalState
from chatops_commander.domain.errors import Conflict, PermissionDenied
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.services.actions import Refused
from chatops_commander.services.principal import Principal
from tests.unit.pipeline.world import World, events_of, request, shop_cache_flush, text_of


def world() -> World:
    w = World(packs=[shop_cache_flush()])
    w.host("web-01", services={"nginx": True})
    return w


async def ask_flush(w: World) -> tuple[Principal, Principal, str]:
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    admin = w.user(Role.ADMIN, "boss@example.com")
    conv = await w.conversation(op)
    turn = await w.say(op, conv, "flush the shop cache on web-01")
    [card] = events_of(turn, "approval_required")
    assert card["action"] == "shop.cache_flush" and card["targets"] == ["web-01"]
    assert card["expires_at"] == "2026-11-23T10:00:00+00:00"  # the default hour
    assert "It stays open until 2026-11-23 10:00 UTC." in text_of(turn)
    assert w.fleet.sent("web-01") == []
    return op, admin, card["approval_id"]


async def test_a_pack_action_approved_for_an_operator_runs_that_action_and_nothing_else() -> None:
    w = world()
    _, admin, approval_id = await ask_flush(w)
    pending = await w.chat.list_approvals(admin, pending=True)
    assert [a.id for a in pending] == [approval_id]

    done, reply = await w.chat.decide_approval(admin, approval_id, approve=True, reason=None)
    assert done.state is ApprovalState.APPROVED and reply is not None and reply.message is not None
    assert w.fleet.sent("web-01")[-1] == "shop-cache flush"
    assert "boss@example.com approved" in reply.message.content
    [row] = w.rows("shop.cache_flush")
    assert (row.state, row.actor, row.confirmed) == ("succeeded", "op@example.com", True)
    assert row.parsed_intent is not None and row.parsed_intent["approved_by"] == "boss@example.com"
    assert not w.rows("app.deploy") and await w.chat.list_approvals(admin, pending=True) == []


async def test_an_approval_is_refused_when_the_requester_lost_the_rights_on_the_server() -> None:
    w = world()
    op, admin, approval_id = await ask_flush(w)
    server = next(s for s in w.store.servers.values() if s.name == "web-01")
    assert op.user_id is not None and server.id is not None
    w.store.permissions[(op.user_id, server.id)] = ServerPermission(can_read=True, can_execute=False)

    with pytest.raises(PermissionDenied) as refused:
        await w.chat.decide_approval(admin, approval_id, approve=True, reason=None)
    assert "I cannot carry out this request for op@example.com" in refused.value.message
    assert "pour op@example.com" in refused.value.message_fr
    assert w.fleet.sent("web-01") == [] and not w.rows("shop.cache_flush")
    assert w.store.approvals[approval_id].state is ApprovalState.REQUESTED
    assert w.audit("AUTHORIZATION_DENIED")[-1].details["reason"] == "requester_not_allowed"


async def test_an_approval_is_refused_when_the_requester_was_disabled_or_demoted() -> None:
    w = world()
    op, admin, approval_id = await ask_flush(w)
    assert op.user_id is not None
    user = w.store.users[op.user_id]
    w.store.users[op.user_id] = dataclasses.replace(user, is_active=False)
    with pytest.raises(PermissionDenied, match="disabled"):
        await w.chat.decide_approval(admin, approval_id, approve=True, reason=None)
    w.store.users[op.user_id] = dataclasses.replace(user, role=Role.VIEWER)
    with pytest.raises(PermissionDenied, match="viewer"):
        await w.chat.decide_approval(admin, approval_id, approve=True, reason=None)
    assert w.fleet.sent("web-01") == []


async def test_an_expired_approval_can_no_longer_be_approved_but_can_still_be_rejected() -> None:
    w = world()
    _, admin, approval_id = await ask_flush(w)
    w.clock.advance(minutes=60)
    assert await w.chat.list_approvals(admin, pending=True) == []
    assert [a.shown_state(w.clock.now()) for a in await w.chat.list_approvals(admin)] == ["expired"]
    with pytest.raises(Conflict) as expired:
        await w.chat.decide_approval(admin, approval_id, approve=True, reason=None)
    assert "expired at 2026-11-23 10:00 UTC" in expired.value.message and "a expiré" in expired.value.message_fr
    assert w.fleet.sent("web-01") == []
    done, _ = await w.chat.decide_approval(admin, approval_id, approve=False, reason="too late anyway")
    assert done.state is ApprovalState.REJECTED


async def test_the_approval_lifetime_is_a_setting() -> None:
    w = world()
    w.chat.approvals.ttl = timedelta(minutes=15)  # CHATOPS_APPROVAL_TTL_MINUTES=15
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    conv = await w.conversation(op)
    [card] = events_of(await w.say(op, conv, "flush the shop cache on web-01"), "approval_required")
    assert card["expires_at"] == "2026-11-23T09:15:00+00:00"


async def test_at_execution_the_pipeline_reads_the_requester_again_and_refuses_a_disabled_one() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    assert op.user_id is not None
    w.store.users[op.user_id] = dataclasses.replace(w.store.users[op.user_id], is_active=False)
    out = await w.pipeline().submit(request(op, "shop.cache_flush", ["web-01"], confirmed=True, follow_up=True,
                                            approval_id="a1", approved_by="boss@example.com"))
    assert isinstance(out, Refused) and out.code == "forbidden" and "disabled" in out.message_en
    assert w.fleet.sent("web-01") == []
