"""The action pipeline on the shipped fakes: one submit for every door, refusals as data, commands written ahead."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from chatops_commander.domain.chat.deployments import Deployment, DeploymentKind, DeploymentState, rollback_target
from chatops_commander.domain.chat.records import CommandState, Conversation
from chatops_commander.domain.errors import RateLimited
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_chain import verify_chain
from chatops_commander.domain.servers import Server
from chatops_commander.services.actions import Door, NeedsApproval, NeedsConfirmation, Ran, Refused
from chatops_commander.services.actions.journal import Entry, JournalRateLimit
from chatops_commander.services.actions.recovery import sweep_interrupted
from chatops_commander.services.principal import AuthMethod, Principal
from tests.unit.pipeline.world import World, request, shop_cache_flush


def fleet() -> World:
    w = World()
    w.host("web-01", services={"nginx": True})
    w.host("web-02", services={"nginx": True})
    return w


async def test_a_read_only_action_runs_and_each_host_gets_one_closed_row_and_its_audit_events() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    out = await w.pipeline().submit(request(admin, "server.disk", ["web-01", "web-02"], door_detail="cli:root"))
    assert isinstance(out, Ran) and out.ok and [r.host for r in out.results] == ["web-01", "web-02"]
    rows = sorted(w.rows("server.disk"), key=lambda r: r.server_name)
    assert [(r.server_name, r.state, r.outcome, r.door, r.command) for r in rows] == [
        ("web-01", "succeeded", "ok", "cli", "df -P -k"), ("web-02", "succeeded", "ok", "cli", "df -P -k")]
    assert all(r.finished_at is not None and r.actor == "admin@example.com" for r in rows)
    started, executed = w.audit("COMMAND_STARTED"), w.audit("COMMAND_EXECUTED")
    assert [e.target for e in started] == ["web-01", "web-02"] and len(executed) == 2
    assert executed[0].details["commandId"] == str(rows[0].id) and executed[0].details["doorDetail"] == "cli:root"
    assert verify_chain(w.store.audit).ok


async def test_the_row_and_the_started_event_are_committed_before_the_command_reaches_the_host() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    seen: list[tuple[str, list[str], int]] = []

    def look(server: Server, plan: CommandPlan) -> None:
        if "df" in plan.render():
            seen.append((server.name, [r.state for r in w.store.commands.values()], len(w.audit("COMMAND_STARTED"))))

    w.fleet.before_run = look
    await w.pipeline().submit(request(admin, "server.disk", ["web-01"]))
    assert seen == [("web-01", ["running"], 1)]


async def test_chat_and_cli_runs_write_the_same_row_fields_and_audit_details() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    await w.pipeline().submit(request(admin, "server.disk", ["web-01"], door=Door.CLI))
    conv = await w.conversation(admin)
    await w.say(admin, conv, "disk usage on web-01")
    cli, chat = sorted(w.rows("server.disk"), key=lambda r: r.door or "")
    assert (cli.door, chat.door) == ("cli", "rest")
    assert {k for k, v in dataclasses.asdict(cli).items() if v is None} - {"conversation_id"} == \
        {k for k, v in dataclasses.asdict(chat).items() if v is None}
    cli_event, chat_event = w.audit("COMMAND_EXECUTED")
    assert set(cli_event.details) == set(chat_event.details)


async def test_a_refusal_is_data_recorded_as_a_refused_row_and_nothing_is_sent() -> None:
    w = fleet()
    viewer = w.user(Role.VIEWER, "viewer@example.com")
    out = await w.pipeline().submit(request(viewer, "service.restart", ["web-01"], service="nginx",
                                            parameters={"service": "nginx"}, confirmed=True))
    assert isinstance(out, Refused) and out.code == "forbidden"
    assert "viewer" in out.message_en and out.message_fr
    assert w.fleet.sent("web-01") == []
    [row] = w.rows("service.restart")
    assert row.state == "refused" and row.outcome == "refused"
    assert [e.action.value for e in w.store.audit][-1] == "COMMAND_REFUSED"


async def test_a_risky_action_needs_the_doors_confirmation_before_anything_runs() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    pipeline = w.pipeline()
    ask = request(admin, "service.restart", ["web-01"], parameters={"service": "nginx"})
    asked = await pipeline.submit(ask)
    assert isinstance(asked, NeedsConfirmation) and asked.risk.value == "medium"
    assert w.fleet.sent("web-01") == [] and w.rows() == []
    ran = await pipeline.submit(dataclasses.replace(ask, confirmed=True, follow_up=True))
    assert isinstance(ran, Ran) and ran.ok and "supervisorctl restart nginx" in ran.commands["web-01"]


async def test_an_operators_pack_action_marked_for_approval_asks_for_it_and_a_deploy_needs_its_runbook() -> None:
    w = World(packs=[shop_cache_flush()])
    w.host("web-01", services={"nginx": True})
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    pipeline = w.pipeline()
    out = await pipeline.submit(request(op, "shop.cache_flush", ["web-01"]))
    assert isinstance(out, NeedsApproval) and out.action == "shop.cache_flush"
    deploy = await pipeline.submit(request(op, "app.deploy", ["web-01"], parameters={"version": "v1.0.0"}))
    assert isinstance(deploy, Refused) and deploy.code == "not_found"  # no runbook handler registered here
    assert w.fleet.sent("web-01") == []


async def test_bad_parameters_and_unknown_servers_and_actions_are_refused_before_anything_is_written() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    pipeline = w.pipeline()
    bad = await pipeline.submit(request(admin, "service.restart", ["web-01"], parameters={"service": "nginx;reboot"}))
    assert isinstance(bad, Refused) and bad.code == "validation_failed" and bad.problems[0][0] == "service"
    unknown = await pipeline.submit(request(admin, "server.disk", ["web-09"]))
    assert isinstance(unknown, Refused) and unknown.code == "not_found" and "web-09" in unknown.message_en
    nothing = await pipeline.submit(request(admin, "no.such", ["web-01"]))
    assert isinstance(nothing, Refused) and nothing.code == "not_found"
    assert w.rows() == [] and w.fleet.sent("web-01") == []


async def test_an_unreachable_host_is_its_own_failed_row_and_the_others_run() -> None:
    w = fleet()
    w.fleet.hosts["web-02"].reachable = False
    admin = w.user(Role.ADMIN, "admin@example.com")
    out = await w.pipeline().submit(request(admin, "server.disk", ["web-01", "web-02"]))
    assert isinstance(out, Ran) and not out.ok
    states = {r.server_name: (r.state, r.outcome) for r in w.rows()}
    assert states == {"web-01": ("succeeded", "ok"), "web-02": ("failed", "unreachable")}


async def test_the_cli_rate_limit_counts_runs_in_the_journal_and_refuses_past_it() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    limit = JournalRateLimit(w.store, clock=w.clock, door="cli", amount=2, period_s=60)  # type: ignore[arg-type]
    pipeline = w.pipeline(rate_hook=limit)
    for _ in range(2):
        assert isinstance(await pipeline.submit(request(admin, "service.start", ["web-01", "web-02"],
                                                        parameters={"service": "nginx"}, confirmed=True)), Ran)
        w.clock.advance(seconds=1)
    third = await pipeline.submit(request(admin, "service.start", ["web-01"], parameters={"service": "nginx"},
                                          confirmed=True))
    assert isinstance(third, Refused) and isinstance(third.error, RateLimited) and third.code == "rate_limited"
    assert w.audit("RATE_LIMITED")
    w.clock.advance(seconds=61)
    assert isinstance(await pipeline.submit(request(admin, "service.start", ["web-01"],
                                                    parameters={"service": "nginx"}, confirmed=True)), Ran)


async def test_rows_left_running_become_interrupted_with_an_event_and_a_line_in_their_conversation() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com", lang="fr")
    conv = await w.conversation(admin)
    w.store.conversations[conv] = dataclasses.replace(w.store.conversations[conv], context={"nlu": {"lang": "fr"}})

    # The process dies after the write-ahead and before the outcome: only the `running` row remains.
    entry = Entry(admin, "service.restart", Risk.MEDIUM, True, "rest", {"service": "nginx"}, conversation_id=conv)
    await w.journal().start(entry, [s for s in w.store.servers.values() if s.name == "web-01"])
    [row] = w.rows("service.restart")
    assert row.state == CommandState.RUNNING.value

    swept = await sweep_interrupted(w.store, w.clock)  # type: ignore[arg-type]
    assert (swept.commands, swept.deployments, swept.conversations) == (1, 0, 1)
    [row] = w.rows("service.restart")
    assert (row.state, row.outcome) == ("interrupted", "interrupted") and row.finished_at == w.clock.now()
    [event] = w.audit("COMMAND_INTERRUPTED")
    assert event.target == "web-01" and event.details["commandId"] == str(row.id)
    [line] = [m for m in w.store.messages if m.conversation_id == conv]
    assert line.content.startswith("⚠️ Le serveur ChatOps s'est arrêté pendant l'exécution de : service.restart")
    assert (await sweep_interrupted(w.store, w.clock)).commands == 0  # type: ignore[arg-type]


async def test_a_conversation_that_is_gone_does_not_stop_the_sweep() -> None:
    w = fleet()
    admin: Principal = w.user(Role.ADMIN, "admin@example.com")
    assert admin.user_id is not None
    async with w.store() as uow:
        conv = await uow.conversations.add(Conversation(admin.user_id))
        await uow.commit()
    entry = Entry(admin, "server.disk", Risk.LOW, False, "rest", {}, conversation_id=conv.id)
    await w.journal().start(entry, list(w.store.servers.values())[:1])
    assert conv.id is not None
    del w.store.conversations[conv.id]
    swept = await sweep_interrupted(w.store, w.clock)  # type: ignore[arg-type]
    assert (swept.commands, swept.conversations) == (1, 0)
    assert [r.state for r in w.rows()] == ["interrupted"]


async def test_a_deployment_left_running_becomes_interrupted_and_rollback_treats_it_as_half_way() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    done = Deployment.start(application="shop", version="v1.0.0", kind=DeploymentKind.DEPLOY, hosts=["web-01"],
                            requested_by="admin@example.com", now=w.clock.now()).finished(now=w.clock.now())
    cut = Deployment.start(application="shop", version="v1.1.0", kind=DeploymentKind.DEPLOY, hosts=["web-01"],
                           requested_by="admin@example.com", now=w.clock.advance(minutes=5), conversation_id=str(conv))
    w.store.deployments.update({done.id: done, cut.id: cut})
    swept = await sweep_interrupted(w.store, w.clock)  # type: ignore[arg-type]
    assert (swept.commands, swept.deployments, swept.conversations) == (0, 1, 1)
    assert w.store.deployments[cut.id].state is DeploymentState.INTERRUPTED
    assert w.store.deployments[done.id].state is DeploymentState.SUCCEEDED
    [event] = w.audit("DEPLOYMENT_INTERRUPTED")
    assert event.details["deployment_id"] == cut.id and event.actor == "system:start-up"
    [line] = [m.content for m in w.store.messages if m.conversation_id == conv]
    assert line == "⚠️ Deployment interrupted: shop v1.1.0. The hosts may be half-way."
    history = sorted(w.store.deployments.values(), key=lambda d: d.started_at, reverse=True)
    assert rollback_target(history) == "v1.0.0"


async def test_each_chat_door_is_named_on_its_rows() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    await w.say(admin, conv, "disk usage on web-01", door=Door.WS)
    await w.say(dataclasses.replace(admin, auth_method=AuthMethod.COOKIE), conv, "disk usage on web-02")
    assert {r.server_name: r.door for r in w.rows("server.disk")} == {"web-01": "ws", "web-02": "web"}


async def test_a_service_action_names_the_exact_line_once_the_host_answered_and_probes_a_dead_host_once() -> None:
    w = fleet()
    w.fleet.hosts["web-02"].reachable = False
    admin = w.user(Role.ADMIN, "admin@example.com")
    written: list[str] = []
    w.fleet.before_run = lambda server, plan: written.extend(
        r.command for r in w.store.commands.values() if "restart" in plan.render())
    out = await w.pipeline().submit(request(admin, "service.restart", ["web-01", "web-02"],
                                            parameters={"service": "nginx"}, confirmed=True))
    assert isinstance(out, Ran)
    assert written == ['service.restart {"service":"nginx"}'] * 2  # before the run: the manager is not known yet
    rows = {r.server_name: r.command for r in w.rows("service.restart")}
    assert rows == {"web-01": "supervisorctl restart nginx", "web-02": 'service.restart {"service":"nginx"}'}
    assert out.commands["web-01"] == "supervisorctl restart nginx"
    assert w.fleet.attempts.count("web-02") == 1  # the failed probe is not repeated to name the command


async def test_a_run_stopped_midway_closes_the_answered_hosts_and_interrupts_the_others() -> None:
    w = fleet()
    w.fleet.hosts["web-01"].hangs = True
    admin = w.user(Role.ADMIN, "admin@example.com")
    answered: list[str] = []
    run = asyncio.create_task(w.pipeline().submit(request(admin, "server.disk", ["web-01", "web-02"]),
                                                  on_result=lambda res: answered.append(res.host)))
    for _ in range(1000):  # until web-02 answered and the run waits for web-01 (bounded loop turns, no sleep)
        if answered == ["web-02"] and w.fleet.sent("web-01"):
            break
        await asyncio.sleep(0)
    for _ in range(10):  # let the run settle into waiting (Python 3.11's wait_for may swallow a cancellation
        await asyncio.sleep(0)  # that lands as a result arrives)
    assert answered == ["web-02"] and w.fleet.sent("web-01")
    run.cancel()  # what Ctrl-C in the CLI, or a server shutdown during a turn, does
    with pytest.raises(asyncio.CancelledError):
        await run
    states = {r.server_name: (r.state, r.outcome) for r in w.rows("server.disk")}
    assert states == {"web-01": ("interrupted", "interrupted"), "web-02": ("succeeded", "ok")}
    assert [e.target for e in w.audit("COMMAND_INTERRUPTED")] == ["web-01"]
    assert [e.target for e in w.audit("COMMAND_EXECUTED")] == ["web-02"]
