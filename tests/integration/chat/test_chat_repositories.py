"""Migrations 0004-0005 and the chat repositories on SQLite and PostgreSQL (real databases)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from chatops_commander import bootstrap
from chatops_commander.domain.chat.approvals import Approval, ApprovalState, decide
from chatops_commander.domain.chat.confirmations import Confirmation, ConfirmationState
from chatops_commander.domain.chat.deployments import Deployment, DeploymentKind, DeploymentState, rollback_target
from chatops_commander.domain.chat.records import ChatMessage, CommandRecord, Conversation
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.users import User
from chatops_commander.services.chat.housekeeping import confirmation_sweep


async def _user(container: bootstrap.Container, email: str, role: Role = Role.OPERATOR) -> User:
    async with container.uow() as uow:
        user = await uow.users.add(User(email=email, name=email.split("@")[0], role=role, password_hash="x"))
        await uow.commit()
    return user


async def test_conversations_messages_commands_round_trip(container: bootstrap.Container) -> None:
    user = await _user(container, "op@example.com")
    assert user.id is not None
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(user.id, "first", {"nlu": {"turns": 1}}))
        assert conv.id is not None
        await uow.messages.add(ChatMessage(conv.id, "user", "bonjour"))
        await uow.messages.add(ChatMessage(conv.id, "assistant", "Bonjour !", {"lang": "fr"}))
        await uow.commands.add(CommandRecord("supervisorctl restart nginx", "service.restart", "op@example.com",
                                             user_id=user.id, server_name="web-01", conversation_id=conv.id,
                                             parsed_intent={"action": "service.restart"}, exit_code=0,
                                             outcome="ok", risk_level="medium", confirmed=True, duration_ms=12))
        await uow.commit()
    async with container.uow() as uow:
        [listed] = await uow.conversations.list_for_user(user.id)
        assert listed.title == "first" and listed.context == {"nlu": {"turns": 1}}
        msgs = await uow.messages.list(conv.id)
        assert [m.role for m in msgs] == ["user", "assistant"] and msgs[1].metadata == {"lang": "fr"}
        [cmd] = await uow.commands.list(conversation_id=conv.id)
        assert cmd.confirmed and cmd.exit_code == 0 and cmd.parsed_intent == {"action": "service.restart"}
        assert await uow.conversations.remove(conv.id)
        await uow.commit()
    async with container.uow() as uow:
        assert await uow.conversations.get(conv.id) is None
        assert await uow.messages.count(conv.id) == 0
        [kept] = await uow.commands.list(user_id=user.id)  # the audit row outlives the conversation
        assert kept.conversation_id is None


async def test_confirmation_state_changes_once(container: bootstrap.Container) -> None:
    user = await _user(container, "op2@example.com")
    assert user.id is not None
    now = datetime.now(UTC)
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(user.id))
        assert conv.id is not None
        c = Confirmation.create(user_id=str(user.id), conversation_id=str(conv.id), action="service.restart",
                                targets=["web-01"], service="nginx", parameters={}, risk=Risk.MEDIUM, now=now)
        await uow.confirmations.add(c)
        await uow.commit()
    async with container.uow() as uow:
        got = await uow.confirmations.get(c.id)
        assert got == dataclasses.replace(c, created_at=got.created_at, expires_at=got.expires_at) if got else False
        assert got is not None and got.expires_at - got.created_at == timedelta(minutes=5)
        assert (await uow.confirmations.latest_pending(conv.id)) is not None
        assert await uow.confirmations.transition(got.confirmed(now), expected=ConfirmationState.PENDING)
        assert not await uow.confirmations.transition(got.confirmed(now), expected=ConfirmationState.PENDING)
        await uow.commit()
    async with container.uow() as uow:
        again = await uow.confirmations.get(c.id)
        assert again is not None and again.state is ConfirmationState.CONFIRMED
        assert await uow.confirmations.latest_pending(conv.id) is None


async def test_approvals_are_listed_and_decided_once(container: bootstrap.Container) -> None:
    op = await _user(container, "op3@example.com")
    admin = await _user(container, "admin3@example.com", Role.ADMIN)
    assert op.id is not None and admin.id is not None
    now = datetime.now(UTC)
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(op.id))
        a = Approval.request(requester_id=str(op.id), requester=op.email, conversation_id=str(conv.id),
                             action="app.deploy", targets=["web-01"], service=None,
                             parameters={"version": "v2.5.0"}, risk=Risk.HIGH, now=now)
        await uow.approvals.add(a)
        await uow.commit()
    async with container.uow() as uow:
        [pending] = await uow.approvals.list(state=ApprovalState.REQUESTED)
        assert pending.id == a.id and pending.intact
        done = decide(pending, approver_role=Role.ADMIN, approver_id=str(admin.id), approver=admin.email,
                      approve=True, reason="ok", now=now)
        assert await uow.approvals.decide(done)
        assert not await uow.approvals.decide(done)
        await uow.commit()
    async with container.uow() as uow:
        got = await uow.approvals.get(a.id)
        assert got is not None and got.state is ApprovalState.APPROVED and got.decided_by == admin.email
        assert await uow.approvals.get("not-a-uuid") is None


async def test_deployments_history_is_newest_first_and_outlives_its_conversation(
    container: bootstrap.Container,
) -> None:
    user = await _user(container, "deployer@example.com")
    assert user.id is not None
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(user.id, "deploys"))
        assert conv.id is not None
        await uow.commit()
    runs = []
    for n, version in enumerate(["v2.3.0", "v2.4.0", "v2.5.0"]):
        d = Deployment.start(application="shop", version=version, kind=DeploymentKind.DEPLOY, hosts=["web-01"],
                             requested_by="deployer@example.com", now=t0 + timedelta(hours=n),
                             environment="production", conversation_id=str(conv.id))
        async with container.uow() as uow:
            await uow.deployments.add(d)
            await uow.deployments.finish(d.finished(now=t0 + timedelta(hours=n, minutes=5),
                                                    failed_step=4 if version == "v2.5.0" else None))
            await uow.commit()
        runs.append(d)
    other = Deployment.start(application="blog", version="v9", kind=DeploymentKind.DEPLOY, hosts=["web-02"],
                             requested_by="x@example.com", now=t0)
    async with container.uow() as uow:
        await uow.deployments.add(other)
        await uow.commit()
    async with container.uow() as uow:
        history = await uow.deployments.history("shop", environment="production")
        assert [d.version for d in history] == ["v2.5.0", "v2.4.0", "v2.3.0"]
        assert history[0].state is DeploymentState.FAILED and history[0].failed_step == 4
        assert history[1].state is DeploymentState.SUCCEEDED and history[1].finished_at == t0 + timedelta(
            hours=1, minutes=5)
        assert history[2].hosts == ("web-01",) and history[2].conversation_id == str(conv.id)
        assert rollback_target(history) == "v2.4.0"
        assert [d.state for d in await uow.deployments.history("blog")] == [DeploymentState.RUNNING]
        assert await uow.deployments.history("shop", environment="staging") == []
        assert await uow.conversations.remove(conv.id)
        await uow.commit()
    async with container.uow() as uow:
        kept = await uow.deployments.history("shop")
        assert len(kept) == 3 and all(d.conversation_id is None for d in kept)


async def test_the_sweep_expires_pending_confirmations_past_their_deadline_only(
    container: bootstrap.Container,
) -> None:
    user = await _user(container, "sweep@example.com")
    assert user.id is not None
    t0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(user.id))
        assert conv.id is not None
        made = [Confirmation.create(user_id=str(user.id), conversation_id=str(conv.id), action="service.restart",
                                    targets=["web-01"], service="nginx", parameters={}, risk=Risk.MEDIUM,
                                    now=t0 + timedelta(minutes=minutes)) for minutes in (0, 1, 10)]
        for c in made:
            await uow.confirmations.add(c)
        await uow.commit()
    async with container.uow() as uow:  # the second was confirmed in time: it stays confirmed
        assert await uow.confirmations.transition(made[1].confirmed(t0 + timedelta(minutes=2)),
                                                  expected=ConfirmationState.PENDING)
        await uow.commit()

    class Clock:
        def now(self) -> datetime:
            return t0 + timedelta(minutes=8)

    assert await confirmation_sweep(container.uow, Clock())() == 1  # type: ignore[arg-type]
    assert await confirmation_sweep(container.uow, Clock())() == 0  # type: ignore[arg-type]
    async with container.uow() as uow:
        states = [(await uow.confirmations.get(c.id)) for c in made]
    assert [s.state if s else None for s in states] == [ConfirmationState.EXPIRED, ConfirmationState.CONFIRMED,
                                                        ConfirmationState.PENDING]
